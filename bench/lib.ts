/**
 * A small benchmark harness: every figure is a median over several rounds, and results are
 * printed as ratios against a baseline measured in the same run, because machines are noisy.
 */

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
