/**
 * Test worker of test/browser.test.ts: starts a browser target, connects one Web Worker, prints the
 * process ids of the browser (every descendant of this process), and exits without closing
 * anything, so the test can check that the browser died with Node.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { browserTarget } from '../../conformance/browser/target.js'

function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended while the table was read.
    }
  }
  const out: number[] = []
  const walk = (pid: number) => {
    for (const [child, p] of parent) if (p === pid) (out.push(child), walk(child))
  }
  walk(root)
  return out
}

const target = browserTarget({ executablePath: process.argv[2] as string })
const transport = await target.connect()
await new Promise<void>((resolve) => transport.onMessage((m) => (m as { type?: unknown }).type === 'ready' && resolve()))
process.stdout.write(`${descendants(process.pid).join(' ')}\n`, () => process.exit(0))
