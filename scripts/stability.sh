#!/bin/sh
# Stability check (issue 9, "Done when"): runs the whole conformance suite N times against our stdio
# worker, with two CPU-burning processes alongside, and checks that every run gives the same verdict
# for every fixture and every requirement. Not part of `npm test` (it takes minutes).
#
#   scripts/stability.sh [N]        # default N=20; extra arguments go to `extwire conformance`
#
# Exit 0 when all N runs agree, 1 otherwise (the differing lines are printed).
set -eu
N=${1:-20}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
npx tsup --silent
out=$(mktemp -d "${TMPDIR:-/tmp}/extwire-stability.XXXXXX")
# Run from a copy of the build, so that a rebuild in the working tree (npm test cleans dist/) cannot
# disturb the runs.
mkdir "$out/pkg"
cp -R dist bin fixtures docs schema package.json "$out/pkg/"
ln -s "$(pwd)/node_modules" "$out/pkg/node_modules"
burners=""
cleanup() {
  for pid in $burners; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in 1 2; do
  node -e 'for (;;) {}' &
  burners="$burners $!"
done
echo "extwire stability: $N runs, load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), reports in $out"
i=1
status=0
cd "$out/pkg"
while [ "$i" -le "$N" ]; do
  start=$(date +%s)
  code=0
  node bin/extwire.js conformance --cmd "node dist/conformance-stdio.js" --features short-request-timeout \
    --reporter json --output "$out/run-$i.json" "$@" >"$out/run-$i.log" 2>&1 || code=$?
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    for (const f of r.results) console.log(`fixture ${f.id} ${f.status}`)
    for (const q of r.requirements) console.log(`requirement ${q.id} ${q.status}`)
    console.log(`exit ${r.exitCode}`)
  ' "$out/run-$i.json" >"$out/verdicts-$i.txt" 2>&1 || echo "run $i: no report (exit $code)" >"$out/verdicts-$i.txt"
  summary=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    const s = r.summary
    console.log(`${s.passed} passed, ${s.failed} failed, ${s.untested} untested, exit ${r.exitCode}`)
  ' "$out/run-$i.json" 2>/dev/null || echo "no report")
  if [ "$i" -gt 1 ] && ! cmp -s "$out/verdicts-1.txt" "$out/verdicts-$i.txt"; then
    echo "run $i: $summary ($(($(date +%s) - start)) s), DIFFERS from run 1:"
    diff "$out/verdicts-1.txt" "$out/verdicts-$i.txt" | sed 's/^/    /' | head -40
    status=1
  else
    echo "run $i: $summary ($(($(date +%s) - start)) s)"
  fi
  i=$((i + 1))
done
if ! grep -qx "exit 0" "$out/verdicts-1.txt"; then
  echo "extwire stability: run 1 did not exit 0 (identical failing runs are not stability)"
  status=1
fi
if [ "$status" -eq 0 ]; then echo "extwire stability: all $N runs gave identical verdicts, exit 0"; else echo "extwire stability: verdicts differ between runs, or the runs failed"; fi
exit "$status"
