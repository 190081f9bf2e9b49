// extwire-hostile: an interpreter that takes a while to start: ready after 1.5 s.
setTimeout(() => process.stdout.write('{"type":"ready"}\n'), 1500)
process.stdin.on('data', () => {})
process.stdin.on('end', () => process.exit(0))
