"""Around the article: tag chips to browse pages, browse cards with a way back, the 404, the board's
affiliations and disclosures (searchable), the footer."""

from __future__ import annotations

from typing import Callable

from conftest import TEST_BOARD, BuiltSite, article, pagefind_fragments

Make = Callable[..., BuiltSite]
BOARD = TEST_BOARD.rstrip("\n") + "\n    affiliation: Example <b>Hospital</b>\n    disclosures: [Speaker fees from Acme, Research grant]\n"


def site_with_tags(make_site: Make, config: dict | None = None, board: str | None = BOARD) -> BuiltSite:
    pages = {"articles/a.md": article("Is A safe?", tags=["Primary care", "Pain medicine"], description="A answer.")}
    return make_site(pages, config, board=board)


def test_tag_chips_link_to_their_browse_pages(make_site: Make) -> None:
    site = site_with_tags(make_site, {"plugins": ["medkb/search", "tags", "medkb/review", "medkb/citations", "medkb/audience", "medkb/disclaimer"]})
    chips = site.soup("articles/a").select("nav.md-tags a.md-tag")
    assert [(a.get_text(), a["href"]) for a in chips] == [("Primary care", "../../browse/primary-care/"), ("Pain medicine", "../../browse/pain-medicine/")]
    assert (site.site_dir / "browse" / "pain-medicine" / "index.html").exists()


def test_browse_pages_are_cards_with_a_way_back(make_site: Make) -> None:
    site = site_with_tags(make_site)
    page = site.soup("browse/primary-care")
    back = page.select_one(".kb-browse-back a")
    assert back["href"] == "../" and back.get_text() == "← Browse articles"
    (card,) = page.select("ul.kb-article-list > li")
    assert card.a.get_text() == "Is A safe?" and card.select_one(".kb-badge").get_text() == "Submitted"
    assert "A answer." in card.get_text() and card.select_one("time")["datetime"] == "2025-12-17"
    assert site.soup("browse").select_one(".kb-browse-back") is None


def test_not_found_page_offers_search_home_and_the_sections(make_site: Make) -> None:
    site = site_with_tags(make_site, {"nav": ["index.md", {"Browse articles": "browse/index.md"}, {"Board": "board.md"}]})
    page = site.soup("")  # noqa: F841 - the home page exists
    from bs4 import BeautifulSoup

    not_found = BeautifulSoup((site.site_dir / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert not_found.h1.get_text() == "Page not found"
    assert "press /" in not_found.select_one(".kb-not-found__search").get_text()
    assert [a.get_text() for a in not_found.select("ul.kb-not-found a")] == ["Home", "Browse articles", "Board"]
    assert not_found.select_one("form#kb-search, .kb-search") is not None  # the header's search dialog is there


def test_board_shows_affiliation_and_disclosures_escaped_and_is_searchable(make_site: Make) -> None:
    site = site_with_tags(make_site)
    member = site.soup("board").select_one("#member-reviewer")
    assert member.select_one(".kb-board__affiliation").get_text() == "Example <b>Hospital</b>"
    assert [li.get_text() for li in member.select(".kb-board__disclosures li")] == ["Speaker fees from Acme", "Research grant"]
    records = pagefind_fragments(site.site_dir)
    assert "/board/" in records and "Speaker fees from Acme" in records["/board/"]["content"]


def test_board_members_without_a_declaration_say_so(make_site: Make) -> None:
    site = site_with_tags(make_site, board=TEST_BOARD)
    text = " ".join(site.soup("board").select_one(".kb-board__disclosures").get_text().split())
    assert text == "Conflicts of interest: no declaration on file."


def test_footer_names_publisher_and_contact_and_escapes_the_copyright(make_site: Make) -> None:
    extra = {"publisher": {"name": "Acme <i>Health</i>", "url": "https://acme.example/"},
             "contact": {"text": "Write to us", "url": "javascript:alert(1)"}}
    site = site_with_tags(make_site, {"copyright": "© 2026 <script>x</script>", "extra": extra})
    footer = site.soup("articles/a").select_one(".md-copyright")
    publisher = footer.select_one(".kb-footer__publisher a")
    assert publisher.get_text() == "Acme <i>Health</i>" and publisher["href"] == "https://acme.example/"
    assert footer.select_one(".kb-footer__contact") is None  # a javascript: address is dropped
    assert "<script>x</script>" in footer.get_text() and footer.find("script") is None
    extra["contact"] = {"text": "Write to us", "url": "contact/"}
    site = site_with_tags(make_site, {"extra": extra})
    assert site.soup("articles/a").select_one(".kb-footer__contact a")["href"] == "../../contact/"
