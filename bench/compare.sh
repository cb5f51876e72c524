#!/usr/bin/env bash
# Two tally binaries over the same inputs, in one run (not a test; numbers vary by machine):
#
#   bench/compare.sh OLD_TALLY NEW_TALLY PATH... [-- CHECK_ARGS...]
#
# 1. Findings: both binaries check PATH... with --format json; the findings (path, rule,
#    severity, byte range, message) are compared and every one found by only one side is listed.
#    Exit 1 when they differ, so a speed change can be shown to leave accuracy alone.
# 2. Time: median wall time of 3 runs each at -j1 and at the default thread count.
# 3. Instructions: when valgrind is installed, the instructions each binary executes at -j1
#    (callgrind; deterministic, unlike wall time on a busy machine).
# CHECK_ARGS (e.g. `--select ratio/`) are passed to both.
set -euo pipefail
[ "$#" -ge 3 ] || { sed -n 2,12p "$0"; exit 2; }
old=$1 new=$2
shift 2
paths=() extra=()
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  paths+=("$1"); shift
done
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT

for side in old new; do
  bin=${!side}
  "$bin" check "${paths[@]}" --format json "${extra[@]}" > "$work/$side.json" 2> /dev/null || true
done
status=0
python3 - "$work/old.json" "$work/new.json" <<'PY' || status=1
import json, sys
def load(path):
    doc = json.load(open(path))
    return {(d["path"], d["rule"], d["severity"], d["byte_start"], d["byte_end"], d["message"])
            for d in doc.get("diagnostics", [])}
old, new = load(sys.argv[1]), load(sys.argv[2])
print(f"findings: old {len(old)}, new {len(new)}, only old {len(old - new)}, only new {len(new - old)}")
for tag, diff in (("only old", old - new), ("only new", new - old)):
    for d in sorted(diff):
        print(f"  {tag}: {d[0]} {d[1]} {d[2]} {d[3]}..{d[4]} {d[5]}")
sys.exit(1 if old != new else 0)
PY

median() { # command...
  local times=()
  for _ in 1 2 3; do
    /usr/bin/time -f '%e' -o "$work/t" "$@" > /dev/null 2>&1 || true
    times+=("$(tail -n 1 "$work/t")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}
for threads in 1 0; do
  t_old=$(median "$old" check "${paths[@]}" --format json -j "$threads" "${extra[@]}")
  t_new=$(median "$new" check "${paths[@]}" --format json -j "$threads" "${extra[@]}")
  echo "wall -j$threads (0: one per core): old ${t_old} s, new ${t_new} s"
done
if command -v valgrind > /dev/null; then
  for side in old new; do
    bin=${!side}
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$bin" check "${paths[@]}" \
      --format json -j 1 "${extra[@]}" > /dev/null 2> "$work/vg.$side" || true
    ir=$(grep -h "Collected" "$work/vg.$side" | awk '{s += $4} END {print s}')
    echo "instructions -j1: $side $ir"
  done
fi
exit "$status"
