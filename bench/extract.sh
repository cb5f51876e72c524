#!/usr/bin/env bash
# Extraction throughput for HTML and Word .docx (not a test; numbers vary by machine).
#
#   bench/extract.sh [SOURCE_DIR] [TARGET_MB]
#
# Turns the *.txt files of SOURCE_DIR (default: corpus/) into HTML pages (a header, navigation,
# paragraphs with <br> line breaks, entities, a script and a data table per page) and .docx files
# (one paragraph per line and a table, deflated) of at least TARGET_MB (default 50) each, then
# reports for each format the median of three runs of `tally extract` (extraction alone) and of
# `tally check --format json` (extraction and every built-in rule), in MB/s of input bytes, with
# `cat` over the same files as the reference for reading them.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-corpus}
target_mb=${2:-50}
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-extract.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
tally=target/release/tally

python3 - "$src" "$work" "$target_mb" <<'PY'
import html, os, sys, zipfile, glob
src, work, target = sys.argv[1], sys.argv[2], int(sys.argv[3]) * 1000 * 1000
texts = [open(p, encoding="utf-8").read() for p in sorted(glob.glob(os.path.join(src, "**", "*.txt"), recursive=True))]
if not texts:
    sys.exit(f"no .txt files under {src}")
TABLE_ROWS = "".join(f"<tr><td>项目{i}</td><td>{i}</td><td>{i * 2}</td></tr>" for i in range(1, 9))
def page(text):
    paras, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(html.escape(line, quote=False))
        elif cur:
            paras.append("<p>" + "<br>\n".join(cur) + "</p>"); cur = []
    if cur:
        paras.append("<p>" + "<br>\n".join(cur) + "</p>")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>报告</title>"
            "<script>var a = 1 < 2 && 3 > 2;</script><style>p{margin:0}</style></head><body>"
            "<div class=\"nav\"><a href=\"/\">首页</a> &gt; <a href=\"/g\">政府信息公开</a></div>"
            "<table><tr><td>索引号：</td><td>000-01</td><td>发布机构：</td><td>办公室</td></tr></table>\n"
            + "\n".join(paras)
            + f"\n<table><tr><th>项目</th><th>本年</th><th>上年</th></tr>{TABLE_ROWS}</table></body></html>\n")
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
def document(text):
    def p(t):
        return f"<w:p><w:r><w:t xml:space=\"preserve\">{html.escape(t, quote=False)}</w:t></w:r></w:p>"
    cell = lambda t: f"<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>"
    rows = "".join(f"<w:tr>{cell('项目' + str(i))}{cell(i)}{cell(i * 2)}</w:tr>" for i in range(1, 9))
    body = "".join(p(l) for l in text.splitlines()) + f"<w:tbl>{rows}</w:tbl>"
    return f"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document {W}><w:body>{body}</w:body></w:document>"
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
for fmt in ("html", "docx"):
    os.makedirs(os.path.join(work, fmt))
    total, n = 0, 0
    while total < target:
        for t in texts:
            n += 1
            path = os.path.join(work, fmt, f"{n}.{fmt}")
            if fmt == "html":
                with open(path, "w", encoding="utf-8") as f:
                    f.write(page(t))
            else:
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("[Content_Types].xml", CT)
                    z.writestr("_rels/.rels", RELS)
                    z.writestr("word/document.xml", document(t))
            total += os.path.getsize(path)
    print(f"{fmt}: {n} files, {total / 1e6:.1f} MB")
PY
echo "machine: $(nproc) cores"

measure() { # label, bytes, command...
  local label=$1 bytes=$2; shift 2
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
print(f'$label: median {t:.2f} s of 3, {mb/t if t>0 else float(\"inf\"):.1f} MB/s, peak RSS {$rss/1024:.1f} MiB')"
}

for fmt in html docx; do
  dir="$work/$fmt"
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  find "$dir" -type f -exec cat {} + > /dev/null
  measure "$fmt cat" "$bytes" sh -c "find '$dir' -type f -exec cat {} + > /dev/null"
  # `tally extract` takes files as arguments: xargs batches them (the output goes to /dev/null).
  measure "$fmt extract" "$bytes" sh -c "find '$dir' -type f -print0 | xargs -0 '$tally' extract"
  measure "$fmt check" "$bytes" "$tally" check "$dir" --format json
done
