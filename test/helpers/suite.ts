/** Test helper: the fixture suite, loaded once per test file. */
import { join } from 'node:path'
import { loadFixtures } from '../../conformance/fixture/load.js'
import type { Fixture } from '../../conformance/fixture/schema.js'
import { loadRequirements } from '../../conformance/requirements.js'
import { appliesTo, DEFAULT_SELECTION_PROTOCOL } from '../../conformance/fixture/select.js'
import { ROOT } from './examples.js'

/** Every fixture of fixtures/ that applies to `protocol` (default 0.22.1); throws when one does not load. */
export function allFixtures(protocol = DEFAULT_SELECTION_PROTOCOL): Fixture[] {
  const { fixtures, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT)
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'))
  return fixtures.map((f) => f.fixture).filter((f) => appliesTo(f, protocol))
}

/** The requirement registry of docs/spec. */
export function requirements() {
  return loadRequirements(join(ROOT, 'docs/spec'))
}
