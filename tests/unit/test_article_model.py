"""The article model: every bad input gets a clear error naming file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medkb.articles.model import ReviewStatus, load_article, parse_article
from medkb.articles.frontmatter import FrontMatterError

PATH = "content/articles/x.md"


def fm(yaml_text: str, body: str = "Body.\n") -> str:
    return f"---\n{yaml_text}---\n{body}"


VALID = "title: Is it safe?\nreview:\n  status: submitted\n  updated: 2025-12-17\n"


def error(text: str) -> FrontMatterError:
    with pytest.raises(FrontMatterError) as info:
        parse_article(text, PATH)
    return info.value


def test_valid_article() -> None:
    art = parse_article(fm(VALID + "description: One line.\ntags: [Neurology, Pain]\n", "\n## A\n"), PATH)
    assert art.title == "Is it safe?"
    assert art.description == "One line."
    assert art.tags == ["Neurology", "Pain"]
    assert art.review.status is ReviewStatus.SUBMITTED
    assert art.review.updated == dt.date(2025, 12, 17)
    assert art.body == "\n## A\n"
    assert art.body_line == 9
    assert art.warnings == []


def test_yaml_syntax_error_names_file_and_line() -> None:
    e = error(fm("title: Is it safe?\nreview: [unclosed\n"))
    assert e.path == PATH and e.line is not None and e.line >= 3
    assert "invalid YAML" in str(e) and str(e).startswith(f"{PATH}:")


@pytest.mark.parametrize(
    ("yaml_text", "kind"),
    [("- title\n- review\n", "a list"), ("just a sentence\n", "a single value")],
)
def test_front_matter_must_be_a_mapping(yaml_text: str, kind: str) -> None:
    e = error(fm(yaml_text))
    assert f"must be a mapping of keys to values, not {kind}" in str(e)
    assert e.line == 2


def test_missing_title() -> None:
    e = error(fm("review:\n  status: submitted\n  updated: 2025-12-17\n"))
    assert "missing required key 'title'" in str(e)


def test_empty_title() -> None:
    e = error(fm("title: ''\nreview:\n  status: submitted\n  updated: 2025-12-17\n"))
    assert e.line == 2 and "title is empty" in str(e)


@pytest.mark.parametrize("value", ["'approved '", "Published", "on", "yes", "Approved"])
def test_unknown_status(value: str) -> None:
    e = error(fm(f"title: T\nreview:\n  status: {value}\n  updated: 2025-12-17\n"))
    assert e.line == 4
    assert "is not a review status; allowed: submitted, under-review, approved" in str(e)
    assert repr(value.strip("'")) in str(e)


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("2024-02-30", "'2024-02-30' is not a valid date"),
        ("03/02/2024", "'03/02/2024' is not a date"),
        ("2024-02-03T10:00:00", "'2024-02-03T10:00:00' is not a date"),
        ("2024-2-3", "'2024-2-3' is not a date"),
    ],
)
def test_bad_updated_date(value: str, needle: str) -> None:
    e = error(fm(f"title: T\nreview:\n  status: submitted\n  updated: {value}\n"))
    assert e.line == 5
    assert f"review.updated: {needle}" in str(e) and "YYYY-MM-DD" in str(e)


def test_duplicate_keys_are_refused() -> None:
    e = error(fm("title: First\ntitle: Second\nreview:\n  status: submitted\n  updated: 2025-12-17\n"))
    assert e.line == 3 and "duplicate key 'title' (first defined on line 2)" in str(e)


def test_duplicate_nested_keys_are_refused() -> None:
    e = error(fm("title: T\nreview:\n  status: submitted\n  status: approved\n  updated: 2025-12-17\n"))
    assert e.line == 5 and "duplicate key 'review.status'" in str(e)


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("title: !!str T\n" + VALID.split("\n", 1)[1], "YAML tag"),
        ("title: &t T\n" + VALID.split("\n", 1)[1], "YAML anchor '&t'"),
        ("base: &b {status: submitted, updated: 2025-12-17}\ntitle: T\nreview: *b\n", "YAML anchor"),
        ("title: T\nreview:\n  <<: {status: submitted}\n  updated: 2025-12-17\n", "merge keys"),
    ],
)
def test_yaml_features_are_refused(yaml_text: str, needle: str) -> None:
    e = error(fm(yaml_text))
    assert needle in str(e) and e.line is not None


def test_alias_alone_is_refused() -> None:
    from medkb.articles.frontmatter import parse_yaml

    with pytest.raises(FrontMatterError, match=r"alias '\*x'"):
        parse_yaml("a: b\nc: *x\n", PATH)


def test_tab_indentation() -> None:
    e = error(fm("title: T\nreview:\n\tstatus: submitted\n\tupdated: 2025-12-17\n"))
    assert e.line == 4 and "tab used for indentation" in str(e)


def test_no_front_matter() -> None:
    e = error("## Just a body\n\nText.\n")
    assert e.line == 1 and "no front matter" in str(e)


def test_first_line_that_looks_like_metadata_is_not_swallowed() -> None:
    e = error("Warning: do not exceed 4 g/day\n\nText.\n")
    assert "no front matter" in str(e)
    assert "'Warning: do not exceed 4 g/day' is body text, not metadata" in str(e)


def test_unclosed_front_matter() -> None:
    e = error("---\ntitle: T\n\nBody\n")
    assert "never closed" in str(e)


def test_html_in_title_is_kept_as_text() -> None:
    art = parse_article(fm('title: "<script>alert(1)</script> & <b>x</b>"\nreview: {status: submitted, updated: 2025-12-17}\n'), PATH)
    assert art.title == "<script>alert(1)</script> & <b>x</b>"  # escaping happens at render time


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    with pytest.raises(FrontMatterError) as info:
        load_article(path, "content/articles/x.md")
    message = str(info.value)
    assert message == "content/articles/x.md:2: not valid UTF-8 (byte 0xe9 at offset 14); save the file as UTF-8"
    assert "\n" not in message


def test_bom_and_crlf_give_the_same_article(tmp_path: Path) -> None:
    text = fm(VALID + "tags: [A]\n", "\n## Body\n\nLine one.\nLine two.\n")
    lf = tmp_path / "lf.md"
    lf.write_bytes(text.encode())
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    a, b = load_article(lf, "x.md"), load_article(crlf, "x.md")
    assert (a.title, a.tags, a.review, a.body, a.body_line) == (b.title, b.tags, b.review, b.body, b.body_line)


def test_unknown_keys_warn_with_suggestion() -> None:
    art = parse_article(fm(VALID + "reivew: {status: approved}\n"), PATH)
    assert [str(w) for w in art.warnings] == [
        f"{PATH}:6: unknown front matter key 'reivew' (did you mean 'review'?); allowed: "
        "bibliography, description, disclaimers, hide, icon, review, search, status, subtitle, tags, template, title"
    ]


def test_unknown_review_key_warns() -> None:
    art = parse_article(fm("title: T\nreview:\n  status: submitted\n  updated: 2025-12-17\n  udpated: 2025-12-18\n"), PATH)
    assert len(art.warnings) == 1
    assert "unknown review key 'udpated' (did you mean 'updated'?)" in str(art.warnings[0])
    assert art.warnings[0].line == 6


def test_missing_review() -> None:
    e = error(fm("title: T\n"))
    assert "missing required key 'review'" in str(e)


def test_tags_must_be_strings() -> None:
    e = error(fm(VALID + "tags:\n  a: b\n"))
    assert "tags must be a list of non-empty strings" in str(e) and e.line == 6


def test_due_date_parsed() -> None:
    art = parse_article(fm("title: T\nreview:\n  status: submitted\n  updated: 2025-12-17\n  due: 2026-12-17\n"), PATH)
    assert art.review.due == dt.date(2026, 12, 17)


def test_bidi_controls_in_title_are_refused() -> None:
    e = error(fm("title: \"Dose \u202e01 gm\"\nreview: {status: submitted, updated: 2025-12-17}\n"))
    assert e.line == 2 and "title contains the bidirectional control U+202E" in str(e)


REVIEW = "review:\n  status: submitted\n  updated: 2025-12-17\n"


@pytest.mark.parametrize(
    ("yaml_text", "key", "read", "quoted"),
    [
        (REVIEW + "title: Is 5 # safe?\n", "title", "Is 5", '"Is 5 # safe?"'),
        (REVIEW + 'title: T\ndescription: Say "no" # to whom?\n', "description", 'Say "no"', "'Say \"no\" # to whom?'"),
    ],
)
def test_unquoted_hash_that_cuts_a_value_short_is_a_warning(yaml_text: str, key: str, read: str, quoted: str) -> None:
    art = parse_article(fm(yaml_text), PATH)
    assert getattr(art, key) == read
    (warning,) = art.warnings
    line = yaml_text.count("\n") + 1  # the last line of the front matter
    assert str(warning) == (
        f"{PATH}:{line}: {key} is cut short at ' #', which starts a YAML comment: it reads {read!r}; "
        f"put it in quotes ({key}: {quoted}) or move the comment to a line of its own"
    )


@pytest.mark.parametrize("title", ['"Is 5 # safe?"', "'Is 5 # safe?'", "Is C# safe?", "Dose no.5#2?"])
def test_hash_inside_a_value_or_quotes_is_fine(title: str) -> None:
    art = parse_article(fm(REVIEW + f"title: {title}\n"), PATH)
    assert art.warnings == [] and "#" in art.title
