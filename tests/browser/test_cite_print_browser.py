"""Cite this article (the downloads) and the printout, in real Chromium against the built example."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

ARTICLE = "/articles/low-back-pain-imaging/"


def test_citation_files_download_with_the_article(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLE)
    block = page.locator("section.kb-cite-article")
    expect(block).to_contain_text("Should adults with acute low back pain and no red flags have lumbar spine imaging? [Internet]")
    expect(block).to_contain_text("Available from: https://kb.example.org/articles/low-back-pain-imaging/")
    for label, first_line in (("BibTeX", "@online{low-back-pain-imaging,"), ("RIS", "TY  - ELEC")):
        with page.expect_download() as info:
            block.get_by_role("link", name=label).click()
        download = info.value
        assert download.suggested_filename == f"low-back-pain-imaging.{'bib' if label == 'BibTeX' else 'ris'}"
        text = Path(download.path()).read_text(encoding="utf-8")
        assert text.splitlines()[0] == first_line
        assert "Approved, December 1, 2026" in text


@pytest.mark.parametrize("audience", ["patient", "professional"])
def test_printout_names_site_address_date_reader_and_version(page: Page, site_url: str, audience: str) -> None:
    page.goto(f"{site_url}{ARTICLE}?audience={audience}")
    info = page.locator(".kb-print-info")
    expect(info).to_be_hidden()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(info).to_be_visible()
    text = " ".join(info.inner_text().split())
    label = {"patient": "Patient or caregiver", "professional": "Healthcare professional"}[audience]
    other = {"patient": "Healthcare professional", "professional": "Patient or caregiver"}[audience]
    today = dt.date.today()
    assert text.startswith("medkb example knowledge base · https://kb.example.org/articles/low-back-pain-imaging/"), text
    assert f"Printed {today.strftime('%B')} {today.day}, {today.year}" in text, text
    assert f"Reading as: {label}" in text and other not in text, text
    assert "Version: Approved, December 1, 2026" in text, text
    # References print their addresses; the picker, previews and downloads do not print.
    link = page.locator("ol.kb-references:visible a.kb-ref-link").first
    after = link.evaluate("(a) => getComputedStyle(a, '::after').content")
    assert after == f'" <{link.get_attribute("href")}>"'
    expect(page.locator(".kb-picker")).to_be_hidden()
    expect(page.locator(".kb-cite-article__downloads")).to_be_hidden()
    expect(page.locator("section.kb-cite-article .kb-cite-article__text")).to_be_visible()


def test_printout_without_javascript_leaves_the_date_out(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    page.emulate_media(media="print")
    text = " ".join(page.locator(".kb-print-info").inner_text().split())
    assert "Printed" not in text and "Reading as: Patient or caregiver ·" in text and "Healthcare professional" not in text, text
    context.close()
