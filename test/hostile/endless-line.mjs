// extwire-hostile: after ready, one line that never ends.
const chunk = 'x'.repeat(64 * 1024)
process.stdout.write('{"type":"ready"}\n{"type":"log","payload":{"level":"info","message":"')
const more = () => {
  while (process.stdout.write(chunk));
  process.stdout.once('drain', more)
}
more()
