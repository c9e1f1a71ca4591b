from streams.text import (
    article_id_for,
    canonical_url,
    content_hash,
    normalise_text,
    split_sentences,
)


def test_normalise_strips_html_folds_space_and_composes_unicode():
    raw = "<p>Kim&nbsp;Jong Un   met</p><p>Putin.</p><script>x()</script>\u200b e\u0301"
    assert normalise_text(raw) == "Kim Jong Un met\nPutin.\né"


def test_the_korean_interpunct_typed_as_arae_a_becomes_a_middle_dot():
    # ㆍ (U+318D) is a letter, so "나진ㆍ하산" would be one word; as "나진·하산" it is two names
    assert normalise_text("나진\u318d하산 프로젝트") == "나진\u00b7하산 프로젝트"


def test_sentences_keep_spans_into_the_text():
    text = "Kim met Putin. Troops went to Kursk! Did Lavrov visit? Yes."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Kim met Putin.",
        "Troops went to Kursk!",
        "Did Lavrov visit?",
        "Yes.",
    ]
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "Gen. Kim spoke to the U.S. envoy on Dec. 3 about it. Then he left."
    assert [s.text for s in split_sentences(text)] == [
        "Gen. Kim spoke to the U.S. envoy on Dec. 3 about it.",
        "Then he left.",
    ]


def test_line_breaks_and_russian_and_korean_sentences():
    text = (
        "Заголовок\nПутин встретился с Ким Чен Ыном. Они подписали договор.\n"
        "북한군이 파병됐다. 확인됐다."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Заголовок",
        "Путин встретился с Ким Чен Ыном.",
        "Они подписали договор.",
        "북한군이 파병됐다.",
        "확인됐다.",
    ]


def test_canonical_url_drops_tracking_fragment_amp_and_mobile_host():
    assert canonical_url("http://m.example.com/news/story/amp/?utm_source=x&id=3#top") == (
        "https://example.com/news/story?id=3"
    )
    assert canonical_url("https://www.example.com/a/b/") == "https://example.com/a/b"
    assert canonical_url("https://example.com/a.amp.html") == "https://example.com/a.html"
    assert canonical_url("ftp://example.com/a") is None
    assert canonical_url("not a url") is None


def test_content_hash_ignores_quotes_case_whitespace_and_title():
    a = content_hash("Headline one", "Kim said: “We stand with Russia.”\n\nEnd")
    b = content_hash("Another headline", 'kim said "we stand with russia"  end')
    assert a == b
    assert a != content_hash("Headline one", "Kim said: we stand with China.")


def test_article_id_prefers_the_canonical_url():
    by_url = article_id_for("https://example.com/x?utm_medium=rss", "t", "b")
    assert by_url == article_id_for("http://www.example.com/x/", "other", "text")
    assert by_url.startswith("u")
    assert article_id_for(None, "t", "body").startswith("c")


def test_html_becomes_text_with_block_breaks_and_without_scripts():
    from streams.text import html_to_text

    value = (
        "<p>Kim &amp; <b>Putin</b> met.</p><script>var x = '<p>no</p>';</script>"
        "<div>Second<br>line</div><!-- a comment --><style>p {}</style>tail"
    )
    assert normalise_text(value) == "Kim & Putin met.\nSecond\nline\ntail"
    assert html_to_text("5 < 6 and 7 > 3") == "5 < 6 and 7 > 3"
    assert html_to_text("Kim &amp; Putin") == "Kim & Putin"


def test_hostile_html_gives_its_visible_text():
    """Unclosed tags and comments: the text a browser would show, from a linear-time parser
    (benchmarks/html_bench.py times it against the standard library's parser)."""
    assert normalise_text("<script" * 50_000) == ""
    assert normalise_text("News <!--" + "x" * 100_000) == "News"
    assert normalise_text("<p" * 50_000 + ">Text") == "Text"
