import { precompiledValidator } from '/work/wt-size/src/validate/index.js'
import { messageExamples } from '/work/wt-size/test/helpers/examples.js'
const pool = messageExamples().flatMap((f) => f.examples.filter((e) => !e.valid).map((e) => e.value))
const msgs = Array.from({ length: 10000 }, (_, i) => structuredClone(pool[i % pool.length]))
const v = precompiledValidator({ mode: 'strict' })
let n = 0
const t = process.hrtime.bigint()
for (let k = 0; k < 30; k++) for (const m of msgs) { const r = v.validateMessage(m); if (!r.ok) n += r.errors.length }
console.log(n, Number(process.hrtime.bigint() - t) / 300000, 'ns/msg')
