"""Deterministic synthetic knowledge bases for benchmarks.

    python bench/generate.py OUT --articles 100 [--entries 2000] [--cites 15] [--words 1200] [--sections 0] [--vocabulary 0]

Writes ``OUT/content/articles/*.md`` (valid medkb articles), ``OUT/references.bib``
and ``OUT/content/index.md``. The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = (
    "patient clinical evidence trial guideline dose risk benefit therapy diagnosis outcome treatment "
    "symptom chronic acute review analysis cohort randomised placebo efficacy safety adverse event "
    "management assessment follow-up imaging laboratory referral primary care specialist recommendation "
    "monitoring adherence quality mortality morbidity prevalence incidence screening prevention "
    "intervention comparison baseline endpoint population criteria severity duration frequency response"
).split()
SURNAMES = "Smith Jones Garcia Müller Nguyen Okafor Rossi Kowalski Chen Singh Dubois Larsen Haddad Novak Tanaka".split()
LATEX_SURNAMES = [r"M{\"u}ller", r"Garc{\'i}a", r"Karada{\c{s}}", r"{\O}rsted", r"Dvo{\v{r}}{\'a}k"]
GIVEN = "Anna Ben Carla David Elif Farah George Hana Ivan Julia Kofi Lena Marco Nadia Omar".split()
JOURNALS = [
    ("Journal of Clinical Evidence", "J Clin Evid"),
    ("Annals of Test Medicine", "Ann Test Med"),
    ("Synthetic Cardiology", "Synth Cardiol"),
    ("Review of Primary Care", "Rev Prim Care"),
    ("Headache Research", "Headache Res"),
]
KINDS = ["research", "guideline", "systematic-review", "review", "consensus"]
SPECIALTIES = ["Cardiology", "Neurology", "Primary care", "Infectious disease", "Pain medicine",
               "Endocrinology", "Pulmonology", "Nephrology", "Psychiatry", "Pediatrics"]


def bib_entry(i: int, rng: random.Random) -> str:
    """One synthetic BibTeX entry (a tenth with LaTeX-accented names)."""
    authors = []
    for _ in range(rng.randint(1, 9)):
        surname = rng.choice(LATEX_SURNAMES) if rng.random() < 0.1 else rng.choice(SURNAMES)
        authors.append(f"{surname}, {rng.choice(GIVEN)} {rng.choice('ABCDEFGH')}.")
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
    journal, abbrev = rng.choice(JOURNALS)
    first = rng.randint(1, 900)
    return (
        f"@article{{ref{i:05d},\n"
        f"  author = {{{' and '.join(authors)}}},\n"
        f"  title = {{{title} -- a {{RCT}}}},\n"
        f"  journal = {{{journal}}},\n"
        f"  journal_abbrev = {{{abbrev}}},\n"
        f"  year = {{{rng.randint(1990, 2025)}}},\n"
        f"  volume = {{{rng.randint(1, 120)}}},\n"
        f"  number = {{{rng.randint(1, 12)}}},\n"
        f"  pages = {{{first}--{first + rng.randint(3, 20)}}},\n"
        f"  doi = {{10.5555/bench.{i:05d}}},\n"
        f"  medkb_type = {{{rng.choice(KINDS)}}},\n"
        "}\n"
    )


def sentence(rng: random.Random, n: int, lexicon: Lexicon | None = None) -> str:
    pick = lexicon.word if lexicon else (lambda r: r.choice(WORDS))
    return " ".join(pick(rng) for _ in range(n)).capitalize() + "."


class Lexicon:
    """A made-up vocabulary with English-like word frequencies, for search benchmarks.

    The default WORDS list (70 words, each in every article) suits build
    benchmarks; a search index of it is unlike a real one, where a few
    words are everywhere and most are rare (Zipf's law), and each article's
    title names its own condition and intervention.
    """

    SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]

    def __init__(self, size: int, seed: int = 7) -> None:
        rng = random.Random(seed)
        words: set[str] = set(WORDS)
        ordered = list(WORDS)
        while len(ordered) < size:
            w = "".join(rng.choice(self.SYLLABLES) for _ in range(rng.randint(2, 4)))
            if w not in words:
                words.add(w)
                ordered.append(w)
        self.words = ordered
        # Zipf: the word of rank r is drawn with weight 1/r.
        weights = [1 / r for r in range(1, size + 1)]
        total = 0.0
        self.cumulative = []
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.terms = ordered[size // 2:]  # rarer half: condition and intervention names

    def word(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self.cumulative)[0]


def article(i: int, rng: random.Random, entries: int, cites: int, words: int, lexicon: Lexicon | None = None) -> str:
    """One article of about ``words`` words with ``cites`` citations."""
    condition = intervention = ""
    if lexicon:
        condition, intervention = rng.choice(lexicon.terms), rng.choice(lexicon.terms)
    keys = [f"ref{rng.randrange(entries):05d}" for _ in range(cites)]
    paragraphs: list[str] = []
    per_block = max(words // (cites + 4), 10)
    for j in range(cites + 4):
        if j % 5 == 0:
            paragraphs.append(f"## {sentence(rng, 4, lexicon)[:-1]}")
        text = " ".join(sentence(rng, rng.randint(8, 16), lexicon) for _ in range(max(per_block // 12, 1)))
        if lexicon and j % 4 == 0:
            text += f" In {condition}, {intervention} was compared with usual care."
        if j < cites:
            cite = keys[j] if j % 4 else f"{keys[j]}; @{keys[(j + 3) % cites]}"
            text = text[:-1] + f" [@{cite}]."
        paragraphs.append(f"- {text}" if j % 3 == 1 else text)
    if lexicon:
        title = f"Should adults with {condition} receive {intervention}?"
    else:
        title = f"Question {i}, is {' '.join(rng.choice(WORDS) for _ in range(6))} effective?"
    front = (
        "---\n"
        f"title: {title}\n"
        f"description: {sentence(rng, 12, lexicon)}\n"
        f"tags: [{rng.choice(SPECIALTIES)}]\n"
        "review:\n"
        f"  status: {rng.choice(['submitted', 'under-review'])}\n"
        f"  updated: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
        "---\n\n"
    )
    return front + "\n\n".join(paragraphs) + "\n"


def generate(
    out: Path, articles: int, entries: int = 2000, cites: int = 15, words: int = 1200, sections: int = 0, seed: int = 1,
    vocabulary: int = 0,
) -> None:
    """Write the knowledge base to ``out`` (``vocabulary``: a Zipf lexicon of that many words; 0: the 70 WORDS)."""
    rng = random.Random(seed)
    lexicon = Lexicon(vocabulary) if vocabulary else None
    (out / "content" / "articles").mkdir(parents=True, exist_ok=True)
    with open(out / "references.bib", "w", encoding="utf-8") as f:
        for i in range(entries):
            f.write(bib_entry(i, rng))
    for i in range(articles):
        folder = out / "content" / "articles"
        if sections:
            folder = folder / f"section-{i % sections:02d}"
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{i:05d}.md").write_text(article(i, rng, entries, cites, words, lexicon), encoding="utf-8")
    (out / "content" / "index.md").write_text("# Benchmark knowledge base\n\nSynthetic articles.\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--cites", type=int, default=15)
    parser.add_argument("--words", type=int, default=1200)
    parser.add_argument("--sections", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vocabulary", type=int, default=0, help="Zipf vocabulary of this many words (0: 70 words)")
    args = parser.parse_args()
    generate(args.out, args.articles, args.entries, args.cites, args.words, args.sections, args.seed, args.vocabulary)


if __name__ == "__main__":
    main()
