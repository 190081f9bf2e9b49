// extwire-hostile: crashes before ready.
process.stderr.write('boom before ready\n')
process.exit(5)
