"""What medkb adds to every page, gzipped (targets: JavaScript <= 3 KB, CSS <= 4 KB).

    python bench/page_weight.py [SITE_DIR]     (default: site/, built by make site)

Counts kb.js and kb.css and the inline audience script and style in <head>,
and the average article page's HTML.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def main() -> None:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    js = (site / "assets/javascripts/kb.js").read_bytes()
    css = (site / "assets/stylesheets/kb.css").read_bytes()
    articles = sorted((site / "articles").glob("*/index.html"))
    html = articles[0].read_text(encoding="utf-8")
    head_js = "".join(re.findall(r"<script>\s*\(function kbAudienceHead.*?</script>", html, re.S)).encode()
    head_css = "".join(re.findall(r"<style>html\[data-kb-audience.*?</style>", html, re.S)).encode()
    total_js, total_css = gz(js) + gz(head_js), gz(css) + gz(head_css)
    print(f"{'asset':<36} {'bytes':>7} {'gzipped':>8}")
    for name, data in (("kb.js", js), ("inline audience script", head_js), ("kb.css", css), ("inline audience style", head_css)):
        print(f"{name:<36} {len(data):>7} {gz(data):>8}")
    print(f"{'JavaScript medkb adds (gzipped)':<36} {'':>7} {total_js:>8}  target <= 3072: {'ok' if total_js <= 3072 else 'OVER'}")
    print(f"{'CSS medkb adds (gzipped)':<36} {'':>7} {total_css:>8}  target <= 4096: {'ok' if total_css <= 4096 else 'OVER'}")
    sizes = [p.stat().st_size for p in articles]
    print(f"average article page HTML: {sum(sizes) / len(sizes) / 1024:.1f} KB over {len(sizes)} articles")


if __name__ == "__main__":
    main()
