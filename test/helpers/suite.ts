/** Test helper: the fixture suite, loaded once per test file. */
import { join } from 'node:path'
import { loadFixtures } from '../../conformance/fixture/load.js'
import type { Fixture } from '../../conformance/fixture/schema.js'
import { loadRequirements } from '../../conformance/requirements.js'
import { ROOT } from './examples.js'

/** Every fixture of fixtures/ (throws when one does not load). */
export function allFixtures(): Fixture[] {
  const { fixtures, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT)
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'))
  return fixtures.map((f) => f.fixture)
}

/** The requirement registry of docs/spec. */
export function requirements() {
  return loadRequirements(join(ROOT, 'docs/spec'))
}
