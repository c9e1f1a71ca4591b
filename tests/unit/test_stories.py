from datetime import UTC, datetime

from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.stories import StoryBook

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def article(body: str, source: str = "outlet-a", url: str | None = None, title: str = "T"):
    from streams.text import article_id_for

    raw = RawArticle(
        article_id=article_id_for(url, title, body), title=title, body=body, url=url, source=source
    )
    return analyze_article(raw)


TROOPS = "North Korean troops are fighting alongside Russia in the Kursk region, officials said."


def new_book() -> StoryBook:
    return StoryBook({}, {}, {})


def test_first_sighting_is_a_new_alert_and_a_resend_adds_nothing():
    book = new_book()
    enriched, alerts = book.place(article(TROOPS), NOW)
    assert [a.kind for a in alerts] == ["new"]
    assert enriched.duplicate_of is None and enriched.cooperation
    again, alerts_again = book.place(article(TROOPS), NOW)
    assert alerts_again == []
    assert again.story_id == enriched.story_id
    assert again.duplicate_of == enriched.article_id


def test_same_signal_from_another_outlet_corroborates_with_the_same_alert_id():
    book = new_book()
    _, first = book.place(article(TROOPS, "outlet-a"), NOW)
    other = "Officials say North Korean soldiers fight for Russia in Kursk; casualties are high."
    _, second = book.place(article(other, "outlet-b"), NOW)
    assert [a.kind for a in second] == ["corroborated"]
    assert second[0].alert_id == first[0].alert_id
    assert second[0].source_count == 2
    assert second[0].sources == ["outlet-a", "outlet-b"]


def test_wire_copy_with_another_url_and_headline_joins_the_story():
    book = new_book()
    a, _ = book.place(article(TROOPS, "outlet-a", "https://a.example/x", "Headline A"), NOW)
    b, alerts = book.place(article(TROOPS, "outlet-b", "https://b.example/y", "Headline B"), NOW)
    assert b.story_id == a.story_id
    assert b.duplicate_of == a.article_id
    assert b.story_sources == ["outlet-a", "outlet-b"]
    assert [x.kind for x in alerts] == ["corroborated"]


def test_tracking_parameters_do_not_make_a_new_article():
    book = new_book()
    a, _ = book.place(article(TROOPS, url="https://a.example/x"), NOW)
    b, alerts = book.place(
        article(TROOPS + " Updated.", url="https://a.example/x?utm_source=rss"), NOW
    )
    assert b.article_id == a.article_id and b.story_id == a.story_id
    assert alerts == []


def test_different_signal_category_is_new_even_in_the_same_story():
    book = new_book()
    book.place(article(TROOPS), NOW)
    _, alerts = book.place(
        article("Kim Jong Un sent a letter to Vladimir Putin praising their alliance."), NOW
    )
    assert [(a.kind, a.category) for a in alerts] == [("new", "diplomatic")]


def test_a_denied_signal_raises_no_alert_and_no_cooperation_flag():
    book = new_book()
    enriched, alerts = book.place(
        article("Pyongyang denied that North Korean troops were fighting for Russia in Kursk."), NOW
    )
    assert alerts == []
    assert not enriched.cooperation
    assert [s.denied for s in enriched.signals] == [True]
