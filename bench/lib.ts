/**
 * A small benchmark harness: every figure is a median over several rounds, and results are
 * printed as ratios against a baseline measured in the same run, because machines are noisy.
 */
import { availableParallelism, loadavg } from 'node:os'

/** One measured figure. */
export interface Figure {
  readonly name: string
  /** Median nanoseconds per operation. */
  readonly nsPerOp: number
}

/** Runs `fn(i)` `ops` times per round for `rounds` rounds (after one warm-up round); returns the median. */
export function measure(name: string, ops: number, fn: (i: number) => unknown, rounds = 7): Figure {
  const samples: number[] = []
  let sink = 0
  for (let r = 0; r <= rounds; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < ops; i++) if (fn(i)) sink++
    const ns = Number(process.hrtime.bigint() - t0) / ops
    if (r > 0) samples.push(ns)
  }
  if (sink < 0) console.log(sink)
  return { name, nsPerOp: median(samples) }
}

/**
 * Measures two operations in alternating rounds and returns each one's median and the median of
 * the per-round ratios (b / a), so that drift in machine speed hits both sides of every ratio alike.
 */
export function compare(
  a: { name: string; ops: number; fn: (i: number) => unknown },
  b: { name: string; ops: number; fn: (i: number) => unknown },
  rounds = 9,
): { a: Figure; b: Figure; ratio: number } {
  const as: number[] = []
  const bs: number[] = []
  const ratios: number[] = []
  let sink = 0
  const time = (x: { ops: number; fn: (i: number) => unknown }) => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < x.ops; i++) if (x.fn(i)) sink++
    return Number(process.hrtime.bigint() - t0) / x.ops
  }
  for (let r = 0; r <= rounds; r++) {
    const ta = time(a)
    const tb = time(b)
    if (r === 0) continue // warm-up
    as.push(ta)
    bs.push(tb)
    ratios.push(tb / ta)
  }
  if (sink < 0) console.log(sink)
  return { a: { name: a.name, nsPerOp: median(as) }, b: { name: b.name, nsPerOp: median(bs) }, ratio: median(ratios) }
}

/** Measures an async operation the same way. */
export async function measureAsync(name: string, ops: number, fn: (i: number) => Promise<unknown>, rounds = 5): Promise<Figure> {
  const samples: number[] = []
  for (let r = 0; r <= rounds; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < ops; i++) await fn(i)
    const ns = Number(process.hrtime.bigint() - t0) / ops
    if (r > 0) samples.push(ns)
  }
  return { name, nsPerOp: median(samples) }
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Formats nanoseconds for people. */
export function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`
}

/** Prints a figure with its throughput. */
export function printFigure(f: Figure): void {
  console.log(`  ${f.name.padEnd(58)} ${formatNs(f.nsPerOp).padStart(10)}/op  ${(1e9 / f.nsPerOp / 1e6).toFixed(2).padStart(8)} M ops/s`)
}

/** Prints a ratio against a target; `higherIsBetter` says which way the target goes. */
export function printRatio(label: string, value: number, target: number, higherIsBetter: boolean, unit = '×'): void {
  const met = higherIsBetter ? value >= target : value <= target
  const shown = unit === '%' ? `${value.toFixed(1)}%` : `${value.toFixed(2)}×`
  const want = unit === '%' ? `${target}%` : `${target}×`
  console.log(`  ${label.padEnd(58)} ${shown.padStart(10)}   target ${higherIsBetter ? '≥' : '≤'} ${want}  ${met ? 'MET' : 'NOT MET'}`)
}

/** One line of a bench's summary: a target of the issue, what was measured against it, and whether it is met. */
export interface SummaryRow {
  /** The target, in words ("worker_threads suite / floor"). */
  readonly target: string
  /** The measured ratio (or percentage, with `unit: '%'`). */
  readonly measured: number
  /** The bound it must meet. */
  readonly bound: number
  /** True when the measured value must be at least the bound (throughput), false when at most (time). */
  readonly higherIsBetter: boolean
  readonly unit?: '×' | '%'
}

/** Whether a row's target is met. */
export function isMet(row: SummaryRow): boolean {
  return row.higherIsBetter ? row.measured >= row.bound : row.measured <= row.bound
}

/** The machine's load, for every bench's output: a ratio measured on a busy machine says so. */
export function loadLine(): string {
  const [one, five, fifteen] = loadavg()
  return `load average ${one?.toFixed(2)} ${five?.toFixed(2)} ${fifteen?.toFixed(2)} on ${availableParallelism()} cores`
}

/** Prints the summary table of one bench (or of several: pass every bench's rows). */
export function printSummary(title: string, rows: readonly SummaryRow[]): void {
  const shown = (r: SummaryRow, v: number) => (r.unit === '%' ? `${v.toFixed(1)}%` : `${v.toFixed(2)}×`)
  console.log(`\n${title} — summary (${loadLine()})`)
  console.log(`  ${'target'.padEnd(58)} ${'measured'.padStart(10)}  ${'bound'.padStart(8)}  met`)
  for (const r of rows) console.log(`  ${r.target.padEnd(58)} ${shown(r, r.measured).padStart(10)}  ${`${r.higherIsBetter ? '≥' : '≤'} ${shown(r, r.bound)}`.padStart(8)}  ${isMet(r) ? 'MET' : 'NOT MET'}`)
}
