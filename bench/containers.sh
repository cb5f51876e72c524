#!/usr/bin/env bash
# Same findings in every container, over a folder of real reports (an audit, not a test).
#
#   bench/containers.sh SOURCE_DIR
#
# Wraps each *.txt of SOURCE_DIR as an HTML page (paragraphs as <p>, lines joined by <br>, one
# source line per text line) and as a .docx (one paragraph per line), checks all three with every
# built-in rule, and lists the files whose findings differ: for HTML, each finding of the text is
# expected at the same character in the page source; for .docx, at the same paragraph and column.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: bench/containers.sh SOURCE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-containers.XXXXXX")
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet

python3 - "$src" "$work" <<'PY'
import glob, html, os, sys, zipfile
src, work = sys.argv[1], sys.argv[2]
HEAD = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title>\n<style>p { margin: 0 }</style></head>\n<body><!-- text -->\n'
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
esc = lambda s: s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
for p in sorted(glob.glob(os.path.join(src, '*.txt'))):
    text = open(p, encoding='utf-8').read()
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines = lines[:-1]
    page = [HEAD]
    for i, l in enumerate(lines):
        if not l.strip():
            page.append('\n')
            continue
        first = i == 0 or not lines[i - 1].strip()
        last = i + 1 == len(lines) or not lines[i + 1].strip()
        page.append(('<p>' if first else '') + esc(l) + ('</p>\n' if last else '<br>\n'))
    page.append('</body></html>\n')
    name = os.path.join(work, os.path.basename(p)[:-4])
    open(name + '.txt', 'w', encoding='utf-8').write(text)
    open(name + '.html', 'w', encoding='utf-8').write(''.join(page))
    body = ''.join(f'<w:p><w:r><w:t xml:space="preserve">{esc(l)}</w:t></w:r></w:p>' for l in lines)
    with zipfile.ZipFile(name + '.docx', 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT)
        z.writestr('_rels/.rels', RELS)
        z.writestr('word/document.xml', f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>')
PY
target/release/tally check "$work" --format json > "$work/out.json" || true
python3 - "$work" <<'PY'
import collections, json, os, sys
work = sys.argv[1]
v = json.load(open(os.path.join(work, 'out.json')))
by = collections.defaultdict(list)
for d in v['diagnostics']:
    by[d['path']].append((d['rule'], d['line'], d['column']))
texts = sorted(p for p in os.listdir(work) if p.endswith('.txt'))
head = 4
total = 0
differ = {'html': [], 'docx': []}
for t in texts:
    path = os.path.join(work, t)
    lines = open(path, encoding='utf-8').read().split('\n')
    def in_page(rule, line, col):
        body = lines[line - 1] if line - 1 < len(lines) else ''
        first = line == 1 or not lines[line - 2].strip()
        before = body[:col - 1]
        return (rule, line + head, col + (3 if first and body.strip() else 0) + len(before.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')) - len(before))
    mine = sorted(by.get(path, []))
    total += len(mine)
    if sorted(in_page(*f) for f in mine) != sorted(by.get(path[:-4] + '.html', [])):
        differ['html'].append(t)
    if mine != sorted(by.get(path[:-4] + '.docx', [])):
        differ['docx'].append(t)
print(f"{len(texts)} texts, {total} findings; unreadable: {len(v['errors'])}")
for fmt, names in differ.items():
    print(f"{fmt}: {len(texts) - len(names)} of {len(texts)} files give the same findings at the same places"
          + (f"; differing: {', '.join(names)}" if names else ""))
PY
