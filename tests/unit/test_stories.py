import random
from datetime import UTC, datetime, timedelta

from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.stories import StoryBook, StoryConfig
from streams.text import article_id_for

NOW = datetime(2026, 11, 26, tzinfo=UTC)

TROOPS = "North Korean troops are fighting alongside Russia in the Kursk region, officials said."
WIRE = (
    "North Korean troops are fighting alongside Russian forces in the Kursk region, South "
    "Korea's spy agency said on Wednesday, citing intelligence gathered over several weeks.\n"
    "About 11,000 soldiers were sent to Russia in October and have since moved to the front "
    "line, the agency told lawmakers in a closed-door briefing in Seoul.\n"
    "Officials said casualties among the North Korean units were mounting as they joined "
    "assaults on Ukrainian positions, and that Pyongyang was preparing to send more men.\n"
    "The agency added that Moscow had supplied the units with drones and electronic warfare "
    "equipment, and that the troops received training in their use before deployment."
)
OTHER_KURSK = (
    "Ukrainian commanders describe fierce fighting near Sudzha, where North Korean infantry "
    "has joined Russian assaults in recent days.\n"
    "Soldiers interviewed by reporters said the newcomers advanced in large groups across open "
    "fields, taking heavy losses from drones and artillery fire.\n"
    "Kyiv says it captured two North Korean soldiers and is questioning them about their "
    "training and the orders they received from Russian officers."
)

COMBAT_REPORT = (
    "Heavy fighting goes on in the Kursk region, where North Korean soldiers are fighting "
    "alongside Russian troops, Ukraine's general staff said."
)


def article(
    body: str,
    source: str = "outlet-a",
    url: str | None = None,
    title: str = "T",
    published: datetime = NOW,
):
    raw = RawArticle(
        article_id=article_id_for(url, title, body),
        title=title,
        body=body,
        url=url,
        source=source,
        published_at=published,
        fetched_at=published,
    )
    return analyze_article(raw)


def test_first_sighting_is_a_new_alert_and_a_resend_adds_nothing():
    book = StoryBook.in_memory()
    enriched, alerts, placement = book.place(article(TROOPS), NOW)
    assert [a.kind for a in alerts] == ["new"]
    assert enriched.duplicate_of is None and enriched.cooperation and placement.match is None
    again, alerts_again, placement = book.place(article(TROOPS), NOW)
    assert alerts_again == []
    assert placement.match == "repeat"
    # Placed twice (at-least-once), the article's enriched record comes out the same.
    volatile = {"enriched_at", "analyzed_at", "fetched_at"}
    assert again.model_dump(exclude=volatile) == enriched.model_dump(exclude=volatile)


def test_a_copy_placed_twice_still_names_the_story_it_duplicates():
    book = StoryBook.in_memory()
    first, _, _ = book.place(article(TROOPS, "outlet-a", "https://a.example/x", "A"), NOW)
    copy = article(TROOPS, "outlet-b", "https://b.example/y", "B")
    once, _, placed = book.place(copy, NOW)
    twice, alerts, again = book.place(copy, NOW)
    assert placed.match == "text" and again.match == "repeat" and alerts == []
    assert once.duplicate_of == twice.duplicate_of == first.article_id
    assert once.story_id == twice.story_id == first.story_id


def test_same_signal_from_another_outlet_corroborates_with_the_same_alert_id():
    book = StoryBook.in_memory()
    _, first, _ = book.place(article(TROOPS, "outlet-a"), NOW)
    other = "Officials say North Korean soldiers fight for Russia in Kursk; casualties are high."
    _, second, _ = book.place(article(other, "outlet-b"), NOW)
    assert [a.kind for a in second] == ["corroborated"]
    assert second[0].alert_id == first[0].alert_id
    assert second[0].source_count == 2
    assert second[0].sources == ["outlet-a", "outlet-b"]


def test_wire_copy_with_another_url_and_headline_joins_the_story():
    book = StoryBook.in_memory()
    a, _, _ = book.place(article(TROOPS, "outlet-a", "https://a.example/x", "Headline A"), NOW)
    b, alerts, _ = book.place(article(TROOPS, "outlet-b", "https://b.example/y", "Headline B"), NOW)
    assert b.story_id == a.story_id
    assert b.duplicate_of == a.article_id
    assert b.story_sources == ["outlet-a", "outlet-b"]
    assert [x.kind for x in alerts] == ["corroborated"]


def test_tracking_parameters_do_not_make_a_new_article():
    book = StoryBook.in_memory()
    a, _, _ = book.place(article(TROOPS, url="https://a.example/x"), NOW)
    b, alerts, placement = book.place(
        article(TROOPS + " Updated.", url="https://a.example/x?utm_source=rss"), NOW
    )
    assert b.article_id == a.article_id and b.story_id == a.story_id
    assert placement.match == "repeat" and alerts == []  # an update of the same article


def test_edited_copy_joins_the_story_by_minhash_and_raises_no_second_new_alert():
    book = StoryBook.in_memory()
    first, alerts, _ = book.place(article(WIRE, "yonhap"), NOW)
    assert {a.kind for a in alerts} == {"new"}
    paragraphs = WIRE.split("\n")
    edited = (
        "SEOUL, Nov. 27 (Yonhap) -- "
        + "\n".join(paragraphs[:2] + paragraphs[3:]).replace("'", "’")
        + "\nRead more on The Daily Courier: all our Korea coverage."
    )
    copy, copy_alerts, placement = book.place(article(edited, "courier", title="Other"), NOW)
    assert placement.match == "near" and placement.similarity >= 0.5
    assert copy.story_id == first.story_id and copy.duplicate_of == first.article_id
    assert copy_alerts and {a.kind for a in copy_alerts} == {"corroborated"}


def test_independent_report_on_the_same_topic_is_a_separate_story():
    book = StoryBook.in_memory()
    first, _, _ = book.place(article(WIRE, "yonhap"), NOW)
    other, alerts, placement = book.place(article(OTHER_KURSK, "kyiv-post"), NOW)
    assert placement.match is None and other.story_id != first.story_id
    # Its news is another development: two North Korean soldiers captured.
    assert [(a.kind, a.action) for a in alerts] == [("new", "captured")]
    # An independent report of the fighting itself corroborates the first report's event.
    _, alerts, _ = book.place(article(COMBAT_REPORT, "ukrinform"), NOW)
    assert [(a.kind, a.alert_id) for a in alerts] == [("corroborated", first.events[0].event_id)]


def test_different_signal_category_is_new_even_in_the_same_story():
    book = StoryBook.in_memory()
    book.place(article(TROOPS), NOW)
    _, alerts, _ = book.place(
        article("Kim Jong Un sent a letter to Vladimir Putin praising their alliance."), NOW
    )
    assert [(a.kind, a.category) for a in alerts] == [("new", "diplomatic")]


def test_a_denied_signal_raises_no_alert_and_no_cooperation_flag():
    book = StoryBook.in_memory()
    enriched, alerts, _ = book.place(
        article("Pyongyang denied that North Korean troops were fighting for Russia in Kursk."), NOW
    )
    assert alerts == []
    assert not enriched.cooperation
    assert [s.denied for s in enriched.signals] == [True]


def test_an_event_quiet_for_longer_than_the_window_is_new_again_and_state_is_swept():
    book = StoryBook.in_memory(
        StoryConfig(window=timedelta(days=14), event_window=timedelta(days=30))
    )
    _, first, _ = book.place(article(TROOPS, "outlet-a"), NOW)
    later = NOW + timedelta(days=31)
    book.sweep(later.timestamp())
    assert book.sizes() == {"stories": 0, "exact": 0, "bands": 0, "events": 0}
    _, again, placement = book.place(article(TROOPS + " Again.", "outlet-b", published=later), NOW)
    assert placement.match is None
    assert [a.kind for a in first] == ["new"] and [a.kind for a in again] == ["new"]


def test_windows_run_on_event_time_not_on_the_detection_clock():
    """A backfill: two reports published a year apart, processed a second apart."""
    book = StoryBook.in_memory(StoryConfig(event_window=timedelta(days=180)))
    a_year_ago = NOW - timedelta(days=365)
    _, first, _ = book.place(article(TROOPS, "outlet-a", published=a_year_ago), NOW)
    _, later, _ = book.place(article(TROOPS + " Again.", "outlet-b"), NOW + timedelta(seconds=1))
    assert [a.kind for a in first] == ["new"] and [a.kind for a in later] == ["new"]
    # ... while reports a week apart in publication time corroborate, processed a year apart.
    book = StoryBook.in_memory(StoryConfig(event_window=timedelta(days=180)))
    book.place(article(TROOPS, "outlet-a", published=a_year_ago), a_year_ago)
    week_on = article(TROOPS + " Again.", "outlet-b", published=a_year_ago + timedelta(days=7))
    _, again, _ = book.place(week_on, NOW)
    assert [a.kind for a in again] == ["corroborated"]


def test_a_publication_date_ahead_of_the_clock_does_not_carry_the_window_away():
    """One article dated 2099 must not make every known event look a century old."""
    book = StoryBook.in_memory()
    _, first, _ = book.place(article(TROOPS, "outlet-a"), NOW)
    wrong = article("Kim Jong Un sent a letter to Vladimir Putin.", "outlet-b",
                    published=datetime(2099, 1, 1, tzinfo=UTC))  # fmt: skip
    book.place(wrong, NOW)
    book.sweep((NOW + timedelta(days=2)).timestamp())
    _, again, _ = book.place(article(TROOPS + " Again.", "outlet-c"), NOW)
    assert [a.kind for a in again] == ["corroborated"] and again[0].alert_id == first[0].alert_id


def test_the_story_index_is_capped_oldest_first():
    book = StoryBook.in_memory(StoryConfig(max_stories=10))
    rng = random.Random(3)
    words = ["rain", "wind", "sun", "snow", "fog", "heat", "cold", "storm", "cloud", "ice"]
    for minute in range(30):
        text = " ".join(rng.choice(words) + str(rng.randrange(1000)) for _ in range(30))
        book.place(article(text, f"s{minute}", published=NOW + timedelta(minutes=minute)))
    book.sweep((NOW + timedelta(minutes=31)).timestamp())
    kept = sorted(story["seen"] for story in book.stories.values())
    assert 0 < len(kept) <= 10
    newest = [(NOW + timedelta(minutes=m)).timestamp() for m in range(30 - len(kept), 30)]
    assert kept == newest


def test_an_event_the_alerts_topic_already_carries_is_not_new_again():
    """A worker that died after its alert reached Kafka but before its table write did: the
    replacement adopts the events of the alerts read back from the alerts topic."""
    import json

    from streams.events import record_from_alerts

    first = StoryBook.in_memory()
    _, alerts, _ = first.place(article(TROOPS, "outlet-a"), NOW)
    said = record_from_alerts(json.loads(alert.to_bytes()) for alert in alerts)

    replacement = StoryBook.in_memory()  # tables lost the event
    assert replacement.events.adopt(said.items()) == len(alerts)
    _, again, _ = replacement.place(article(TROOPS, "outlet-a"), NOW)
    assert again == []  # the very article that raised it: nothing to say
    _, other, _ = replacement.place(article(TROOPS + " More.", "outlet-b"), NOW)
    assert [a.kind for a in other] == ["corroborated"]
    assert other[0].alert_id == alerts[0].alert_id and other[0].source_count == 2


def test_the_lsh_index_is_rebuilt_from_the_stories_alone():
    book = StoryBook.in_memory()
    first, _, _ = book.place(article(WIRE, "yonhap"), NOW)
    before = dict(book.bands)
    book.bands.clear()
    assert book.rebuild_bands() == len(before) and book.bands == before
    paragraphs = WIRE.split("\n")
    copy, _, placement = book.place(article("\n".join(paragraphs[1:]), "other"), NOW)
    assert placement.match == "near" and copy.story_id == first.story_id


def test_an_lsh_index_rebuilt_on_takeover_holds_what_the_one_built_while_placing_held():
    """Distinct stories share band keys (near copies of one wire, shared boilerplate): the
    index keeps every story of a key, so a worker that rebuilt it from the stories (in their
    order, not the order their versions came in) finds the same candidates."""
    from pathlib import Path

    from streams.eventeval import load_timeline, raw_article

    timeline = Path(__file__).resolve().parents[2] / "seeds" / "eval" / "timeline_tune.jsonl"
    book = StoryBook.in_memory()

    def held(bands):
        return {k: {v} if isinstance(v, str) else set(v) for k, v in bands.items()}

    # At least 600 articles, and on until some key is shared (the corpus grows: which of its
    # articles come first changes).
    for n, item in enumerate(load_timeline([timeline]), 1):
        book.place(analyze_article(raw_article(item)))
        if n >= 600 and n % 100 == 0 and any(len(ids) > 1 for ids in held(book.bands).values()):
            break
    built = held(book.bands)
    assert any(len(ids) > 1 for ids in built.values()), "no key shared: nothing tested"
    book.rebuild_bands()
    assert held(book.bands) == built


def test_an_archive_article_sent_again_after_its_event_was_forgotten_is_not_new_again():
    """At least once, and event time: an old article re-sent after newer ones, once its story
    and event were swept, must not raise its `new` alert a second time; a backfill of other
    old articles still raises theirs."""
    config = StoryConfig(event_window=timedelta(days=30))
    book = StoryBook.in_memory(config)
    old = article(TROOPS, "outlet-a", published=NOW - timedelta(days=400))
    _, first, _ = book.place(old, NOW)
    assert [a.kind for a in first] == ["new"]
    book.place(article("Kim Jong Un sent a letter to Vladimir Putin.", "outlet-b"), NOW)
    book.sweep(NOW.timestamp())  # the old article's story and event are forgotten
    assert first[0].alert_id not in book.events.events
    enriched, again, _ = book.place(old, NOW)
    assert again == [] and enriched.events[0].event_id == first[0].alert_id
    bridge = "Russia and North Korea opened a road bridge over the Tumen river on Friday."
    backfill = article(bridge, "yonhap", published=NOW - timedelta(days=380))
    assert [a.kind for a in book.place(backfill, NOW)[1]] == ["new"]
    # A worker taking over learns what was said from the alerts topic (axiswatch.ledger).
    fresh = StoryBook.in_memory(config)
    fresh.events.remember_said([first[0].alert_id])
    assert fresh.place(old, NOW)[1] == []


MARCH_VISIT = "Russian Security Council Secretary Sergei Shoigu met Kim Jong Un in Pyongyang."
JUNE_VISIT = (
    "Russian Security Council Secretary Sergei Shoigu met Kim Jong Un in Pyongyang on "
    "Wednesday.\n"
    "The talks covered the situation on the Korean Peninsula.\n"
    "Shoigu last visited North Korea in March, when he met Kim Jong Un for talks."
)


def test_an_earlier_visit_restated_beside_a_new_one_corroborates_its_own_event():
    book = StoryBook.in_memory()
    march = datetime(2025, 3, 21, tzinfo=UTC)
    june = datetime(2025, 6, 4, tzinfo=UTC)
    _, first, _ = book.place(article(MARCH_VISIT, "outlet-a", published=march), now=march)
    _, second, _ = book.place(article(JUNE_VISIT, "outlet-b", published=june), now=june)
    assert [a.kind for a in first] == ["new"]
    kinds = {a.alert_id: a.kind for a in second}
    assert kinds[first[0].alert_id] == "corroborated"  # the March visit, restated
    assert sorted(kinds.values()) == ["corroborated", "new"]  # and the June visit is news
    # A wire copy of the June report names the same two events.
    _, copy, _ = book.place(
        article(JUNE_VISIT, "outlet-c", url="https://c/1", published=june), now=june
    )
    assert {a.alert_id for a in copy} == set(kinds)
