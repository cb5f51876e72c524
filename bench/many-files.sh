#!/usr/bin/env bash
# Peak memory of an archive scan: `tally check --format jsonl` over many small files.
#
#   bench/many-files.sh [COUNT] [SOURCE_DIR]
#
# Copies the *.txt/*.md files of SOURCE_DIR (default: corpus/) round-robin into COUNT files
# (default 20000) and reports wall time, files per second and peak RSS. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
src=${2:-corpus}
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-many.XXXXXX")
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
mapfile -t files < <(find "$src" -type f \( -name '*.txt' -o -name '*.md' \) | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no .txt/.md files under $src" >&2; exit 2; }
for ((i = 0; i < count; i++)); do
  dir="$work/c/$((i / 1000))"
  mkdir -p "$dir"
  f=${files[$((i % ${#files[@]}))]}
  cp "$f" "$dir/$i-$(basename "$f")"
done
bytes=$(du -sb "$work/c" | cut -f1)
echo "corpus: $count files, $(python3 -c "print(f'{$bytes/1e6:.1f}')") MB (from $src)"
/usr/bin/time -f '%e %M' -o "$work/time" target/release/tally check "$work/c" --format jsonl > "$work/out.jsonl" 2> /dev/null || true
read -r secs rss < <(tail -n 1 "$work/time")
lines=$(grep -c '^{"type":"diagnostic"' "$work/out.jsonl" || true)
python3 -c "print(f'tally --format jsonl: {$secs:.2f} s, {$count/$secs:.0f} files/s, peak RSS {$rss/1024:.1f} MiB, {$lines} findings')"
