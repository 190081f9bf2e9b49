/**
 * The printed `replay:` line reproduces the same counterexample against the same target, and the
 * printed `check:` line runs the saved fixture against that target: both are run here exactly as
 * printed, through a shell, from another directory. Harness errors are an outcome of their own.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from '../paths.js'
import { embeddedTarget } from '../reference/target.js'
import { HarnessError, playSequence, replayPathOf, runCampaign } from './campaign.js'
import type { FuzzCommand } from './model.js'

const BIN = join(PACKAGE_ROOT, 'bin/extwire.js')

/** Runs a printed `extwire …` line through a shell in `cwd`. */
function shell(line: string, cwd: string): { code: number | null; out: string } {
  const r = spawnSync('sh', ['-c', line.replace(/^extwire /, `node ${BIN} `)], { cwd, encoding: 'utf8', timeout: 240_000 })
  return { code: r.status, out: r.stdout }
}

const lineOf = (out: string, label: string) => out.split('\n').find((l) => l.trimStart().startsWith(`${label}:`))?.trim().slice(label.length + 1).trim() as string
/** The requirement and the failure message: what "the same failure" means. */
const failureOf = (out: string) => out.split('\n').slice(0, 2).join('\n')

describe('fuzz replay', () => {
  for (const [name, target, timeout] of [
    ['a mutant', ['--mutant', 'events-after-done'], '1000'],
    ['a --cmd target', ['--cmd', "'sh test/workers/exit-on-first-message.sh'", '--cwd', PACKAGE_ROOT], '10000'],
  ] as const) {
    it(`the printed replay and check lines reproduce the failure against ${name}`, () => {
      const elsewhere = mkdtempSync(join(tmpdir(), 'extwire-replay-'))
      const first = shell(['extwire fuzz', ...target, '--runs 60 --seed 1 --timeout', timeout].join(' '), elsewhere)
      expect(first.code, first.out).toBe(1)
      const replay = lineOf(first.out, 'replay')
      const check = lineOf(first.out, 'check')
      expect(replay).toContain(target[0])
      expect(replay).toMatch(/--replay-path \S+/)
      expect(check).toContain(target[0])
      const again = shell(replay, mkdtempSync(join(tmpdir(), 'extwire-replay-')))
      expect(again.code, again.out).toBe(1)
      expect(failureOf(again.out)).toBe(failureOf(first.out).replace(/after \d+ sequence\(s\)/, 'after 1 sequence(s)'))
      const checked = shell(check, elsewhere)
      expect(checked.code, checked.out).toBe(1)
      expect(checked.out).toContain(/: (EXT-[A-Z]+-\d{3})$/m.exec(first.out.split('\n')[0] as string)?.[1] as string)
    }, 300_000)
  }

  it('reads the command replay path fast-check writes into a sequence', () => {
    expect(replayPathOf('Activate,Chat(echo) /*replayPath="OBN:F"*/')).toBe('OBN:F')
    expect(replayPathOf('Activate')).toBe('')
  })
})

describe('fuzz harness errors', () => {
  it('a command whose own code throws is a harness error, not the worker failure', async () => {
    const broken = { check: () => true, run: async () => Promise.reject(new TypeError('model bug')), toString: () => 'Broken' } as unknown as FuzzCommand
    const error = await playSequence(embeddedTarget(), [broken], 1000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HarnessError)
    expect((error as Error).message).toBe('TypeError: model bug')
  })

  it('a replay path that does not fit the generator is a harness error', async () => {
    const result = await runCampaign(embeddedTarget(), { runs: 3, seed: 1, path: '0:99:99', replayPath: 'garbage' })
    expect(result.outcome).toBe('harness-error')
    expect(result.counterexample?.requirement).toBe('')
  })
})
