// extwire-hostile: sends ready, then ignores stdin closing and SIGTERM.
process.on('SIGTERM', () => {})
process.stdin.on('data', () => {})
process.stdin.on('end', () => {})
setInterval(() => {}, 1000)
process.stdout.write('{"type":"ready"}\n')
