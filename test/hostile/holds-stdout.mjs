// extwire-hostile: a grandchild inherits stdout (and so holds the pipe open), ignores SIGTERM and outlives this process.
import { spawn } from 'node:child_process'
const tag = process.argv[2] ?? 'extwire-hostile'
const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)', `${tag}-grandchild`], { stdio: ['ignore', 'inherit', 'inherit'] })
child.unref()
process.stdout.write('{"type":"ready"}\n', () => process.exit(0))
