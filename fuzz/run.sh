#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with cargo-fuzz (libFuzzer) on the
# nightly toolchain:
#
#   fuzz/run.sh 60                 # all targets, a minute each
#   fuzz/run.sh 600 check_render   # one target, ten minutes
#
# Targets: load_text, load_html, load_docx, load_markdown (the document loaders), rule_file
# (rule files), config (tally.toml), check_render (load, every built-in rule, suppressions,
# fixes and every output format; every finding's span must lie inside the text on char
# boundaries). Seed inputs are copied from corpus/, tests/data/ and rules/ into
# fuzz/corpus/<target>/ (not checked in; libFuzzer adds what it finds there). A crash leaves
# the input in fuzz/artifacts/<target>/ and fails the script; reproduce it with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
#
# Without the nightly toolchain the script says so and exits 0 (a skip, not a pass). cargo-fuzz
# is installed from crates.io (`cargo install cargo-fuzz --locked`) when it is missing.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
all=(load_text load_html load_docx load_markdown rule_file config check_render)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

if ! rustup toolchain list 2> /dev/null | grep -q '^nightly'; then
  echo "SKIPPED: fuzzing needs the nightly toolchain (rustup toolchain install nightly); no target was run"
  exit 0
fi
if ! cargo +nightly fuzz --version > /dev/null 2>&1; then
  echo "== installing cargo-fuzz from crates.io"
  cargo +nightly install cargo-fuzz --locked
fi

# Seeds: the repository's documents by kind, its rule files, two configurations.
seed() {
  local target=$1
  shift
  mkdir -p "corpus/$target"
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "corpus/$target/seed-$(echo "$f" | tr '/' '_')"
  done
  return 0
}
mapfile -t txt < <(find ../corpus ../tests/data -type f -name '*.txt' | sort)
mapfile -t html < <(find ../corpus ../tests/data -type f -name '*.html' | sort)
mapfile -t md < <(find ../corpus ../tests/data -type f -name '*.md' | sort)
mapfile -t docx < <(find ../corpus ../tests/data -type f -name '*.docx' | sort)
seed load_text "${txt[@]}"
seed load_html "${html[@]}"
seed load_markdown "${md[@]}"
seed load_docx "${docx[@]}"
seed rule_file ../rules/*.toml
mkdir -p corpus/config
printf 'select = ["ratio/", "sum/"]\nignore = ["style/"]\nfail-on = "warning"\nglobs = ["!drafts/**"]\n\n[severity]\n"repeat/doubled-char" = "off"\n\n[per-path-ignores]\n"appendix/**" = ["punct/"]\n\n[fields]\nrequired = ["发布机构"]\n' > corpus/config/seed-readme.toml
printf 'rules = ["rules/"]\nno-default-rules = true\n' > corpus/config/seed-rules.toml
# check_render reads the first byte as the kind: 0 text, 1 Markdown, 2 HTML, 3 .docx.
mkdir -p corpus/check_render
n=0
for group in txt md html docx; do
  declare -n files=$group
  for f in "${files[@]}"; do
    { printf "\\x0$n"; cat "$f"; } > "corpus/check_render/seed-$group-$(basename "$f")"
  done
  n=$((n + 1))
done

echo "== building the fuzz targets (nightly, address sanitizer)"
cargo +nightly fuzz build
logs=$(mktemp -d "${TMPDIR:-/tmp}/tally-fuzz.XXXXXX")
trap 'rm -rf "$logs"' EXIT
failed=()
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${secs}s"
  # max_len: long enough for the corpus' reports; rss_limit: well above what the loaders'
  # guards allow (the .docx reader refuses ZIP bombs).
  set +e
  cargo +nightly fuzz run "$target" -- -max_total_time="$secs" -max_len=65536 \
    -rss_limit_mb=2048 -print_final_stats=1 > "$logs/$target.log" 2>&1
  code=$?
  set -e
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$logs/$target.log" | tr '\n' ' ' || true
  echo
  if [ "$code" -ne 0 ]; then
    tail -n 40 "$logs/$target.log" >&2
    failed+=("$target")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets ran ${secs}s each without a crash"
