#!/usr/bin/env bash
# Lighthouse 12.2.3 (npm) on an article of the example site, desktop preset,
# with Debian's Chromium. Run by hand (it is noisy; not a CI gate):
#   bash bench/lighthouse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out/lighthouse
[ -x bench/out/lighthouse/node_modules/.bin/lighthouse ] || (cd bench/out/lighthouse && npm i -E --no-audit --no-fund --silent lighthouse@12.2.3)
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build -q -d bench/out/lighthouse/site
python3 -m http.server 8799 --bind 127.0.0.1 --directory bench/out/lighthouse/site >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
CHROME_PATH=${CHROMIUM_PATH:-/usr/bin/chromium} bench/out/lighthouse/node_modules/.bin/lighthouse \
  http://127.0.0.1:8799/articles/low-back-pain-imaging/ --preset=desktop --quiet \
  --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
  --only-categories=performance,accessibility,best-practices,seo \
  --output=json --output-path=bench/out/lighthouse/report.json
python3 -c "
import json; r = json.load(open('bench/out/lighthouse/report.json'))
for k, c in r['categories'].items(): print(f'{k:<16} {round(c[\"score\"] * 100)}')
for k, c in r['categories'].items():
    for ref in c['auditRefs']:
        a = r['audits'][ref['id']]
        if a.get('score') is not None and a['score'] < 1 and ref.get('weight', 0) > 0: print('  ', k, ref['id'], a['score'])
"
