"""Each audience reads its own citation numbers 1…n, its own list, its own back links (real Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

AUDIENCES = ("patient", "student", "professional")
ARTICLES = (
    "/articles/low-back-pain-imaging/",
    "/articles/hypertension-blood-pressure-target/",
    "/articles/sore-throat-antibiotics/",
    "/articles/occipital-nerve-blocks-trigger-point-injections/",
)

# What the reader sees, as the browser renders it (display:none is not seen).
SEEN = """
() => {
  const visible = (el) => el.checkVisibility();
  const cites = [...document.querySelectorAll("sup.kb-cite")].filter(visible).map((sup) => ({
    id: sup.id,
    text: sup.innerText.trim(),
    targets: [...sup.querySelectorAll("a")].filter(visible).map((a) => decodeURIComponent(new URL(a.href).hash.slice(1))),
  }));
  const lists = [...document.querySelectorAll("ol.kb-references")].filter(visible);
  const entries = lists.flatMap((ol) => [...ol.children].map((li) => ({
    id: li.id,
    backs: [...li.querySelectorAll(".kb-backrefs a")].map((a) => decodeURIComponent(new URL(a.href).hash.slice(1))),
  })));
  return {cites, lists: lists.length, entries};
}
"""


def numbers(text: str) -> list[int]:
    """``"1, 3–5"`` → ``[1, 3, 4, 5]`` (locators dropped)."""
    found: list[int] = []
    for part in text.split(","):
        bounds = [int(n) for n in re.findall(r"^\s*(\d+)(?:\([^)]*\))?(?:\s*\u2013\s*(\d+))?", part)[0] if n]
        found.extend(range(bounds[0], bounds[-1] + 1))
    return found


def check_view(page: Page, where: str) -> list[int]:
    """The reader's numbers run 1…n in reading order and match their one list exactly."""
    seen = page.evaluate(SEEN)
    order: list[int] = []
    for cite in seen["cites"]:
        for n in numbers(cite["text"]):
            if n not in order:
                order.append(n)
    assert order == list(range(1, len(order) + 1)), f"{where}: numbers in reading order {order}"
    assert seen["lists"] == (1 if order else 0), f"{where}: {seen['lists']} reference lists visible"
    entry_ids = [e["id"] for e in seen["entries"]]
    assert len(entry_ids) == len(order), f"{where}: {len(entry_ids)} entries for {len(order)} numbers"
    # Every number leads to an entry the reader sees; every entry is cited in their text.
    targets = {t for cite in seen["cites"] for t in cite["targets"]}
    assert targets == set(entry_ids), f"{where}: numbers link to {sorted(targets)}, list has {entry_ids}"
    # Back links go only to citations the reader sees, and to all of them.
    visible_cites = {c["id"] for c in seen["cites"] if c["targets"]}
    backs = {b for e in seen["entries"] for b in e["backs"]}
    assert backs == visible_cites, f"{where}: back links {sorted(backs)} for visible citations {sorted(visible_cites)}"
    return order


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_audience_reads_its_own_numbers(page: Page, site_url: str, audience: str) -> None:
    views = {}
    for article in ARTICLES:
        page.goto(f"{site_url}{article}?audience={audience}")
        assert page.locator("html").get_attribute("data-kb-audience") == audience
        views[article] = check_view(page, f"{article} as {audience}")
    assert all(views.values())


def test_audiences_read_different_lists_where_their_passages_cite_differently(page: Page, site_url: str) -> None:
    article = ARTICLES[1]
    lists = []
    for audience in AUDIENCES:
        page.goto(f"{site_url}{article}?audience={audience}")
        lists.append(tuple(e["id"] for e in page.evaluate(SEEN)["entries"]))
    assert len(set(lists)) > 1, lists


def test_switching_audience_renumbers_at_once(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLES[1] + "?audience=patient")
    check_view(page, "patient")
    page.locator(".kb-picker__change").click()
    page.locator('input[name="kb-audience"][value="professional"]').check()
    check_view(page, "professional after a switch")


def test_without_javascript_the_default_audience_reads_its_numbers(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for article in ARTICLES:
        page.goto(site_url + article)
        assert page.locator("html").get_attribute("data-kb-audience") is None
        check_view(page, f"{article} without JavaScript")
        # The default audience's passage is the one shown.
        assert page.locator('div.kb-audience[data-kb-audience~="patient"]').first.is_visible()
    context.close()


@pytest.mark.parametrize("audience", ["patient", "professional"])
def test_print_keeps_the_readers_numbers_and_list(page: Page, site_url: str, audience: str) -> None:
    page.goto(f"{site_url}{ARTICLES[1]}?audience={audience}")
    screen = page.evaluate(SEEN)
    page.emulate_media(media="print")
    check_view(page, f"print as {audience}")
    printed = page.evaluate(SEEN)
    assert [c["text"] for c in printed["cites"]] == [c["text"] for c in screen["cites"]]
