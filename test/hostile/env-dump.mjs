// extwire-hostile: reports the names of its environment variables in a log message.
const names = Object.keys(process.env).sort().join(',')
process.stdout.write(`{"type":"ready"}\n${JSON.stringify({ type: 'log', payload: { level: 'info', message: names } })}\n`)
process.stdin.on('data', () => {})
process.stdin.on('end', () => process.exit(0))
