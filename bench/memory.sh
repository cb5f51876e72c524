#!/usr/bin/env bash
# Peak memory and time to first output of `tally check --format jsonl` on big inputs (issue 16):
# one 1 GB text file (-j1), and 8 files of 100 MB (-j1 and -j2). Not a test: numbers vary by
# machine, and nothing here fails on a slow or large run.
#
#   bench/memory.sh [SOURCE_DIR]              # builds target/release/tally and measures it
#   TALLY=/path/to/tally bench/memory.sh      # measures another binary (e.g. an older build)
#   SIZES="100" bench/memory.sh               # only the 8 × 100 MB case (MB per file)
#
# The files are made by concatenating the .txt reports of SOURCE_DIR (default
# ../shared/corpus-real, else corpus/) in a temporary folder that is removed on exit; they need
# about 1.8 GB of free space. Peak RSS comes from `/usr/bin/time -v` ("Maximum resident set
# size"); the first output is when the first JSONL line reaches the reading end of the pipe.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-../shared/corpus-real}
[ -d "$src" ] || src=corpus
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time) for peak RSS" >&2; exit 2; }

if [ -z "${TALLY:-}" ]; then
  cargo build --release --quiet
  TALLY=target/release/tally
fi

# One copy of every report, once; files are made of whole copies of it (plus a tail).
mapfile -t reports < <(find "$src" -type f -name '*.txt' | sort)
[ "${#reports[@]}" -gt 0 ] || { echo "no .txt files under $src" >&2; exit 2; }
cat "${reports[@]}" > "$work/all.txt"
# make NAME MB: a file of at least MB megabytes of report text.
make() {
  local out=$1 mb=$2
  : > "$out"
  while [ "$(stat -c %s "$out")" -lt $((mb * 1000 * 1000)) ]; do
    cat "$work/all.txt" >> "$out"
  done
}

# measure LABEL ARGS...: wall time, peak RSS, time to the first JSONL line, lines.
measure() {
  local label=$1
  shift
  local start
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$work/time" "$TALLY" check --format jsonl "$@" 2> /dev/null \
    | python3 -c '
import sys, time
start = float(sys.argv[1])
first = sys.stdin.buffer.readline()
at = time.time() - start
lines = (1 if first else 0) + sum(1 for _ in sys.stdin.buffer)
print(f"{at:.2f} {lines}")' "$start" > "$work/first" || true
  local rss wall first lines
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$work/time")
  read -r first lines < "$work/first"
  printf '%-28s wall %9s  peak RSS %7.0f MiB  first output %7.2f s  %s findings\n' \
    "$label" "$wall" "$(echo "$rss / 1024" | bc -l)" "$first" "$lines"
}

echo "tally: $TALLY"
echo "source: $src ($(stat -c %s "$work/all.txt") bytes of reports)"
sizes=${SIZES:-"1000 100"}
for size in $sizes; do
  if [ "$size" -ge 1000 ]; then
    make "$work/big.txt" "$size"
    echo "1 file of $(stat -c %s "$work/big.txt") bytes"
    # One document is checked by one worker whatever -j says.
    measure "1 × ${size} MB, -j1" "$work/big.txt" -j 1
    rm -f "$work/big.txt"
  else
    make "$work/f0.txt" "$size"
    for i in 1 2 3 4 5 6 7; do cp "$work/f0.txt" "$work/f$i.txt"; done
    echo "8 files of $(stat -c %s "$work/f0.txt") bytes"
    measure "8 × ${size} MB, -j1" "$work"/f?.txt -j 1
    measure "8 × ${size} MB, -j2" "$work"/f?.txt -j 2
    rm -f "$work"/f?.txt
  fi
done
