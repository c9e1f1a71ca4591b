"""Feed parsing: formats, malformed feeds, encodings, dates, links, identity and the bomb."""

from __future__ import annotations

import resource
from datetime import UTC, datetime

import pytest

from producers.feeds import (
    FeedConfig,
    FeedParseError,
    clean_link,
    decode_feed,
    parse_feed,
    strip_entity_declarations,
)
from streams.text import article_id_for, canonical_url
from tests.feeds.server import fixture, rss

FEED = FeedConfig(name="test", url="https://news.example.org/feed.xml")
RU_TITLE = "Россия и КНДР подписали соглашение о сотрудничестве"
KO_TITLE = "북한과 러시아, 포괄적 전략적 동반자 조약 1주년"


def parse(name: str, feed: FeedConfig = FEED, **kwargs):
    return parse_feed(fixture(name), feed, **kwargs)


def test_rss20_entries_become_articles_with_clean_text_utc_dates_and_clean_links():
    parsed = parse("rss20.xml")
    assert parsed.version == "rss20" and not parsed.warnings
    first, second, third = (e.article for e in parsed.entries)
    assert first.title == "Russia and North Korea sign a military cooperation protocol"
    # content:encoded wins over the summary; tags and scripts go, paragraphs stay.
    assert first.body == (
        "Defence ministers of Russia and the DPRK signed a protocol in Pyongyang.\n"
        "The text covers joint exercises & training."
    )
    assert first.published_at == datetime(2025, 6, 10, 3, 0, tzinfo=UTC)
    # Relative link resolved, tracking parameter and fragment dropped, real query kept.
    assert first.url == "https://news.example.org/2025/06/protocol.html?id=7"
    assert first.article_id == article_id_for(first.url, first.title, first.body)
    assert first.external_id == "pm-1001"
    assert (first.source, first.feed, first.lang) == ("test", "test", "en")
    assert second.body == "Around 1,000 North Korean workers arrived in Alabuga, reports say."
    assert third.url is None and third.article_id.startswith("c")


def test_entry_identity_is_guid_else_canonical_link_else_content_hash():
    keys = [e.key for e in parse("rss20.xml").entries]
    assert keys[0] == "id:pm-1001"
    assert keys[1] == "url:" + canonical_url("https://news.example.org/2025/06/workers.html")
    assert keys[2].startswith("hash:")


def test_atom_entries_parse_with_html_and_xhtml_content():
    parsed = parse("atom10.xml")
    assert parsed.version == "atom10"
    letters, cyber = (e.article for e in parsed.entries)
    assert letters.title == "Kim and Putin exchange letters — KCNA"
    assert letters.body.startswith("Kim Jong Un sent a letter")
    assert letters.published_at == datetime(2025, 6, 12, 6, 0, tzinfo=UTC)  # from +03:00
    assert cyber.body == "Researchers say the groups share servers."
    assert cyber.published_at == datetime(2025, 6, 12, 4, 15, tzinfo=UTC)  # published wins
    assert letters.lang == "en"  # from xml:lang


def test_rss10_rdf_and_rss091_parse():
    rdf = parse("rss10.rdf")
    assert rdf.version == "rss10"
    assert [e.article.title for e in rdf.entries] == [
        "Rason bridge traffic rises",
        "Shoigu visits Pyongyang",
    ]
    assert rdf.entries[0].article.published_at == datetime(2025, 6, 8, 22, 0, tzinfo=UTC)
    old = parse("rss091.xml")
    assert old.version.startswith("rss091")
    assert old.entries[0].article.title == "Café diplomacy in Vladivostok"  # ISO-8859-1


def test_malformed_feed_is_used_with_a_warning_when_its_entries_parse():
    parsed = parse("malformed.xml")
    assert [e.article.title for e in parsed.entries] == [
        "Ammunition shipments & rail traffic",
        "Second entry survives",
    ]
    assert any("not well-formed" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("name", "title", "encoding"),
    [
        ("cp1251-undeclared.xml", RU_TITLE, "cp1251"),
        ("cp1251-declared.xml", RU_TITLE, "cp1251"),
        ("euckr-undeclared.xml", KO_TITLE, "cp949"),
        ("euckr-declared.xml", KO_TITLE, "euc_kr"),
        ("utf8-bom.xml", KO_TITLE, "utf-8"),
    ],
)
def test_declared_and_undeclared_legacy_encodings_come_out_right(name, title, encoding):
    parsed = parse(name)
    assert parsed.encoding == encoding
    assert parsed.entries[0].article.title == title
    assert "\ufffd" not in parsed.entries[0].article.body


def test_http_charset_counts_and_utf8_wins_over_a_wrong_declaration():
    ru = fixture("cp1251-undeclared.xml")
    text, encoding, _ = decode_feed(ru, "application/rss+xml; charset=windows-1251")
    assert encoding == "cp1251" and RU_TITLE in text
    utf8 = ru.decode("cp1251").encode("utf-8")
    text, encoding, warnings = decode_feed(utf8, "text/xml; charset=windows-1251")
    assert encoding == "utf-8" and RU_TITLE in text and warnings
    utf16 = ru.decode("cp1251").encode("utf-16-le")
    assert decode_feed(utf16)[1] == "utf-16-le"


def test_undeclared_koi8_russian_is_told_apart_from_windows_1251():
    koi8 = f"<rss><title>{RU_TITLE}. Пхеньян</title></rss>".encode("koi8_r")
    text, encoding, _ = decode_feed(koi8, lang="ru")
    assert encoding == "koi8_r" and RU_TITLE in text


def test_entity_bomb_is_defused_quickly_and_the_entry_kept():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parsed = parse("entity-bomb.xml")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024  # a billion "lol"s would be gigabytes
    assert len(parsed.entries) == 1
    assert "lol" * 10 not in parsed.entries[0].article.title
    assert any("entity" in w for w in parsed.warnings)


def test_entity_declarations_are_removed_but_external_doctypes_stay():
    text, removed = strip_entity_declarations(fixture("entity-bomb.xml").decode())
    assert removed and "<!ENTITY" not in text and text.lstrip().startswith("<?xml")
    netscape = fixture("rss091.xml").decode("latin-1")
    assert strip_entity_declarations(netscape) == (netscape, False)
    tricky = '<!DOCTYPE r [<!ENTITY a "]>"><!ENTITY b "x">]><rss/>'
    assert strip_entity_declarations(tricky) == ("<rss/>", True)


def test_html_pages_and_garbage_are_not_feeds():
    with pytest.raises(FeedParseError, match="not an RSS or Atom feed"):
        parse("not-a-feed.html")
    with pytest.raises(FeedParseError, match="not an RSS or Atom feed"):
        parse_feed(b"\x00\xff garbage \x89PNG", FEED)
    with pytest.raises(FeedParseError):
        parse_feed(b"", FEED)


def test_an_empty_feed_has_no_entries():
    parsed = parse_feed(rss("Quiet", []), FEED)
    assert parsed.entries == [] and not parsed.warnings


def test_entries_without_text_are_skipped_and_duplicates_counted_once():
    data = rss(
        "Mixed",
        [
            {"guid": "a", "title": "One"},
            {"guid": "empty"},
            {"guid": "a", "title": "One again"},
            {"guid": "b", "title": "Two"},
        ],
    )
    parsed = parse_feed(data, FEED)
    assert [e.article.title for e in parsed.entries] == ["One", "Two"]
    assert parsed.skipped == ["entry 2: neither a title nor any text"]


def test_digest_changes_with_the_text_but_not_the_identity():
    before = parse_feed(rss("c", [{"guid": "g", "title": "T", "description": "v1"}]), FEED)
    after = parse_feed(rss("c", [{"guid": "g", "title": "T", "description": "v2"}]), FEED)
    assert before.entries[0].key == after.entries[0].key
    assert before.entries[0].digest != after.entries[0].digest


def test_implausible_dates_are_dropped():
    data = rss(
        "Dates",
        [
            {"guid": "future", "title": "x", "pubDate": "Fri, 01 Jan 2100 00:00:00 GMT"},
            {"guid": "ancient", "title": "y", "pubDate": "Thu, 01 Jan 1970 00:00:00 GMT"},
            {"guid": "junk", "title": "z", "pubDate": "yesterday-ish"},
        ],
    )
    assert [e.article.published_at for e in parse_feed(data, FEED).entries] == [None] * 3


def test_configured_language_and_source_win():
    feed = FeedConfig(name="tass-ru", url=FEED.url, lang="ru", source="TASS")
    article = parse("rss20.xml", feed).entries[0].article
    assert (article.lang, article.source, article.feed) == ("ru", "TASS", "tass-ru")


def test_clean_link_keeps_scheme_and_host_and_refuses_non_http():
    assert clean_link(" /a?b=1&utm_medium=x#top ", "http://www.site.org/feed") == (
        "http://www.site.org/a?b=1"
    )
    assert clean_link("javascript:alert(1)") is None
    assert clean_link("mailto:x@y.org") is None
    assert clean_link(None) is None


def test_a_dtd_after_a_long_comment_or_in_lower_case_is_removed_too():
    bomb = fixture("entity-bomb.xml").decode()
    prolog, rest = bomb.split("\n", 1)
    padded = prolog + "\n<!--" + "x" * 70_000 + "-->\n" + rest
    text, removed = strip_entity_declarations(padded)
    assert removed and "<!ENTITY" not in text
    lower = '<!doctype r [<!entity a "b">]><rss/>'
    assert strip_entity_declarations(lower) == ("<rss/>", True)
