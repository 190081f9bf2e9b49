// extwire-hostile: sends ready and never reads its stdin.
process.stdout.write('{"type":"ready"}\n')
setInterval(() => {}, 1000)
