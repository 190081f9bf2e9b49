// extwire-hostile: crashes before ready, with an escape sequence (clear screen) in its last words.
process.stderr.write('boom before ready \x1b[2J\n')
process.exit(5)
