#!/bin/sh
# A worker that sends ready, then exits with code 5 on the first message it receives: a
# deterministic failure for the fuzz replay test (any sequence with a command fails the same way).
echo '{"type":"ready"}'
read -r line
exit 5
