#!/usr/bin/env bash
# Inputs that used to take quadratic time (issue 16); times `tally check` on each. Not a test:
# numbers vary by machine, and nothing here fails on a slow run.
#
#   bench/linear.sh            # builds target/release/tally and times it
#   TALLY=/path/to/tally bench/linear.sh   # times another binary (e.g. an older build)
#
# 1. repeats.txt: 800 KB of `对对\n\n`, 100 000 one-line paragraphs that each hold a doubled
#    character (the `repeat` kind once re-sorted every finding so far for each unit).
# 2. line.txt: one 50 MB line of Chinese text with a doubled character every 10 KB, 5 000
#    findings (columns were counted from the start of the line for every finding).
# 3. repeats.txt again with `--fix --unsafe-fixes` (100 000 fixes; the fixed findings were
#    filtered out with a linear search each).
# Files go to a temporary folder that is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-linear.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -z "${TALLY:-}" ]; then
  cargo build --release --quiet
  TALLY=target/release/tally
fi

# 100 000 × 8 bytes = 800 KB.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "对对\n\n" }' > "$work/repeats.txt"
# A 10 KB block (370 × 27 bytes + 对对), 5 000 times ≈ 50 MB, with no line break.
block=$(printf '全区开展评查工作，%.0s' $(seq 370))对对
awk -v b="$block" 'BEGIN { for (i = 0; i < 5000; i++) printf "%s", b }' > "$work/line.txt"

run() {
  local name=$1
  shift
  local bytes start end
  bytes=$(wc -c < "$work/$name")
  start=$(date +%s.%N)
  "$TALLY" check "$work/$name" --format json "$@" > "$work/out.json" 2> /dev/null || true
  end=$(date +%s.%N)
  printf '%-12s %-24s %6.1f MB  %8.2f s  %s findings left\n' "$name" "$*" \
    "$(echo "$bytes / 1000000" | bc -l)" "$(echo "$end - $start" | bc -l)" \
    "$(grep -o '"rule":' "$work/out.json" | wc -l)"
}

echo "tally: $TALLY"
run repeats.txt
run line.txt
cp "$work/repeats.txt" "$work/fix.txt"
run fix.txt --fix --unsafe-fixes
