"""Real-world bibliographies through medkb/citations: what renders, what fails cleanly, what crashes.

    python bench/bib_corpus.py [FOLDER_OR_FILE ...] [--style vancouver unsrt] [--show 20]

Every ``.bib``, ``.json`` and ``.ris`` file under the folders (default
``/tmp/bibcorpus``; collect real files there, never into the repository) is
loaded with ``load_bibliography`` and every entry formatted through a
``ReferenceCatalog`` (reference and fingerprint), as a build does. A file is

  rendered     loaded, and every entry formatted;
  clean error  stopped with a ``BibliographyError`` naming the file and a line;
  traceback    anything else (an exception a build would show as a traceback).

The corpus issue 17 was measured on: every ``.bib`` file of TeX Live's
sources (texlive-source), TeX Live's 2007 texmf tree, biblatex (its
examples), pybtex, sphinxcontrib-bibtex and bibtexparser (its v1 branch and
main) — 229 files, each repository's files under its own folder.

Raw LaTeX fragments are counted in the rendered references' text: a
backslash command (``\\emph``, ``\\,``), a brace, a ``$...$`` left as written.
Warnings (an unknown command dropped to its argument, a name pybtex cannot
split) are counted too.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import traceback
from pathlib import Path

from medkb.citations.bibliography import BibliographyError, load_bibliography
from medkb.citations.references import ReferenceCatalog

SUFFIXES = (".bib", ".json", ".ris")
FRAGMENT = re.compile(r"\\(?:[A-Za-z@]+|[^A-Za-z\s])|[{}]|\$[^$]*\$")


def corpus_files(folders: list[Path]) -> list[Path]:
    """The bibliography files under the folders (or the files themselves), sorted."""
    found = [p for folder in folders for p in ([folder] if folder.is_file() else folder.rglob("*"))]
    return sorted(p for p in found if p.suffix.lower() in SUFFIXES and p.is_file())


def run_file(path: Path, style: str) -> dict[str, object]:
    """Load and format one file; the outcome, its fragments and warnings."""
    result: dict[str, object] = {"file": str(path), "entries": 0, "fragments": [], "warnings": []}
    try:
        bib = load_bibliography([path])
    except BibliographyError as e:
        result["outcome"] = "clean error" if e.path and e.line else "error without line"
        result["message"] = str(e)
        return result
    except Exception:  # noqa: BLE001 - what the benchmark counts
        result["outcome"] = "traceback"
        result["message"] = traceback.format_exc(limit=-3)
        return result
    catalog = ReferenceCatalog(bib, style)
    fragments: list[tuple[str, str, str]] = []
    warnings: list[str] = []
    for key in bib.keys:
        try:
            ref = catalog.lookup(key)
            catalog.fingerprint(key)
        except Exception:  # noqa: BLE001
            result["outcome"] = "traceback"
            result["message"] = f"entry {key}: " + traceback.format_exc(limit=-3)
            return result
        assert ref is not None
        result["entries"] = int(result["entries"]) + 1  # type: ignore[call-overload]
        fragments.extend((key, m.group(0), ref.text) for m in FRAGMENT.finditer(ref.text))
        warnings.extend(getattr(ref, "warnings", ()))
    result.update(outcome="rendered", fragments=fragments, warnings=warnings)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, default=[Path("/tmp/bibcorpus")])
    parser.add_argument("--style", nargs="+", default=["vancouver"])
    parser.add_argument("--show", type=int, default=20, help="examples of fragments and errors to print")
    args = parser.parse_args()
    files = corpus_files(args.folders)
    if not files:
        sys.exit(f"no bibliography files under {', '.join(map(str, args.folders))}")
    for style in args.style:
        results = [run_file(f, style) for f in files]
        outcomes = collections.Counter(str(r["outcome"]) for r in results)
        fragments = [(r["file"], *f) for r in results for f in r["fragments"]]  # type: ignore[attr-defined]
        warnings = [w for r in results for w in r["warnings"]]  # type: ignore[attr-defined]
        entries = sum(int(r["entries"]) for r in results)  # type: ignore[call-overload]
        print(f"style {style}: {len(files)} files, {entries} entries formatted")
        for outcome in ("rendered", "clean error", "error without line", "traceback"):
            print(f"  {outcome:<20} {outcomes.get(outcome, 0)}")
        print(f"  raw LaTeX fragments  {len(fragments)}")
        print(f"  warnings             {len(warnings)}")
        kinds = collections.Counter(re.sub(r"\$.*\$", "$...$", f[2]) for f in fragments)
        if kinds:
            print("  fragments by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common(15)))
        for file, key, fragment, text in fragments[: args.show]:
            print(f"    {file} [{key}] {fragment!r}: {text[:140]}")
        for r in results:
            if r["outcome"] in ("traceback", "error without line"):
                print(f"  {r['outcome'].upper()} {r['file']}\n    " + str(r["message"]).strip().replace("\n", "\n    "))  # type: ignore[attr-defined]
        if args.show:
            errors = [r for r in results if r["outcome"] == "clean error"]
            for r in errors[: args.show]:
                print(f"  clean error: {r['message']}")


if __name__ == "__main__":
    main()
