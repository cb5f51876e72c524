#!/usr/bin/env bash
# Throughput and memory benchmark for `tally check` (not a test; numbers vary by machine).
#
#   bench/run.sh [SOURCE_DIR] [TARGET_MB]
#
# Builds a corpus of at least TARGET_MB (default 100) by copying the *.txt/*.md files of SOURCE_DIR
# (default: corpus/) under distinct names, then runs `tally check --format json` on it three times
# with all built-in rules and reports the median wall time, MB/s and peak RSS. When ripgrep (`rg`) is
# on the PATH it also runs rg over the same files with the regexes of the built-in pattern rules, as
# a reference for what a plain regex scan costs on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-corpus}
target_mb=${2:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
tally=target/release/tally

mapfile -t files < <(find "$src" -type f \( -name '*.txt' -o -name '*.md' \) | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no .txt/.md files under $src" >&2; exit 2; }
bytes=0
round=0
while [ "$bytes" -lt $((target_mb * 1000 * 1000)) ]; do
  mkdir -p "$work/c/$round"
  i=0
  for f in "${files[@]}"; do
    i=$((i + 1))
    cp "$f" "$work/c/$round/$i-$(basename "$f")"
    bytes=$((bytes + $(stat -c %s "$f")))
  done
  round=$((round + 1))
done
nfiles=$(find "$work/c" -type f | wc -l)
mb=$(python3 -c "print(f'{$bytes/1e6:.1f}')")
echo "corpus: $nfiles files, $mb MB (from $src, $round copies)"
echo "machine: $(nproc) cores"

# Warm the page cache once.
find "$work/c" -type f -exec cat {} + > /dev/null

measure() { # label, command...
  local label=$1; shift
  local times=() rss=0
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" > /dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$work/time")
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  python3 -c "
t=$median; mb=$bytes/1e6
print(f'$label: median {t:.2f} s of 3 ({\" \".join(\"${times[*]}\".split())}), {mb/t if t>0 else float(\"inf\"):.1f} MB/s, peak RSS {$rss/1024:.1f} MiB')"
  echo "$median" > "$work/median-$label"
}

measure tally "$tally" check "$work/c" --format json
if command -v rg > /dev/null; then
  python3 - "$work/patterns" <<'PY'
import re, sys, tomllib, glob
out = []
for path in sorted(glob.glob("rules/*.toml")):
    with open(path, "rb") as f:
        for rule in tomllib.load(f).get("rule", []):
            # rg matches line by line: multi-line patterns (paragraph ends) are left out.
            if rule.get("kind") == "pattern" and "\\n" not in rule["pattern"]["regex"]:
                # rg joins the patterns into one regex, where group names must be unique.
                out.append(re.sub(r"\(\?<[A-Za-z0-9_]+>", "(?:", rule["pattern"]["regex"]))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
  measure rg rg --no-config -c -f "$work/patterns" "$work/c"
  python3 -c "
t=float(open('$work/median-tally').read()); r=float(open('$work/median-rg').read())
print(f'ratio: tally takes {t/r:.2f}x the time of rg (rg runs only the pattern rules: {sum(1 for _ in open(\"$work/patterns\"))} regexes)')"
else
  echo "rg not installed: no reference run (cargo install ripgrep)"
fi
