"""The known-events index: joining frames into events, and what each report raises (pure)."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from streams.events import EventBook, EventConfig, record_from_alerts

DAY = 86_400.0
T0 = datetime(2024, 10, 18, tzinfo=UTC).timestamp()


def frame(
    action: str = "deploy_troops",
    family: str = "deployment",
    categories: tuple[str, ...] = ("military",),
    when: date | None = date(2024, 10, 18),
    basis: str = "report",
    russia: tuple[str, ...] = ("rus",),
    dprk: tuple[str, ...] = ("prk",),
    objects: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
    quantities: tuple[tuple[str, int | None], ...] = (),
    start: int = 0,
    claimants: tuple[str, ...] = (),
    sender: str | None = None,
) -> dict:
    return {
        "claimants": list(claimants),
        "sender": sender,
        "category": categories[0],
        "categories": list(categories),
        "action": action,
        "family": family,
        "evidence": "...",
        "evidence_span": (start, start + 10),
        "russia_actors": list(russia),
        "dprk_actors": list(dprk),
        "objects": list(objects),
        "places": list(places),
        "quantities": [{"unit": u, "value": v, "text": ""} for u, v in quantities],
        "event_date": when,
        "date_precision": "day" if when else None,
        "basis": basis,
    }


def decide(book: EventBook, f: dict, article: str, source: str, ts: float, lang: str = "en"):
    return book.decide(
        f, article_id=article, source=source, story_id=f"st-{article}", lang=lang, ts=ts
    )


def test_independent_reports_of_one_deployment_in_other_languages_corroborate_it():
    book = EventBook({})
    first = decide(book, frame(places=("kursk",)), "a1", "yonhap", T0, "ko")
    again = decide(book, frame(when=date(2024, 10, 25)), "a2", "tass", T0 + 7 * DAY, "ru")
    assert (first.kind, again.kind) == ("new", "corroborated")
    assert again.event_id == first.event_id
    assert again.record["languages"] == ["ko", "ru"] and again.record["source_count"] == 2


def test_a_later_deployment_of_the_same_kind_is_a_new_event():
    book = EventBook({})
    first = decide(book, frame(), "a1", "yonhap", T0)
    later = date(2026, 2, 1)
    second = decide(book, frame(when=later), "a2", "yonhap", T0 + 470 * DAY)
    assert second.kind == "new" and second.event_id != first.event_id


def test_distinct_developments_under_one_topic_are_distinct_events():
    book = EventBook({})
    kinds = [
        decide(book, frame(), "a1", "s", T0).kind,
        decide(book, frame("combat", "combat", when=date(2024, 12, 16)),
               "a2", "s", T0 + 59 * DAY).kind,
        decide(book, frame("captured", "captured", when=date(2025, 1, 11)),
               "a3", "s", T0 + 85 * DAY).kind,
        decide(book, frame("confirm_deployment", "confirmation", when=date(2025, 4, 28)),
               "a4", "s", T0 + 192 * DAY).kind,
        decide(book, frame("send_engineers", "engineers", when=date(2025, 6, 17)),
               "a5", "s", T0 + 242 * DAY).kind,
    ]  # fmt: skip
    assert kinds == ["new"] * 5
    assert len(book.events) == 5


def test_different_weapons_are_different_supplies_the_same_weapon_one():
    book = EventBook({})
    shells = decide(
        book, frame("supply_arms", "supply", objects=("artillery_shells",)), "a1", "s", T0
    )
    missiles = decide(book, frame("supply_arms", "supply", objects=("ballistic_missiles",)),
                      "a2", "s", T0 + DAY)  # fmt: skip
    more = decide(book, frame("supply_arms", "supply", objects=("ballistic_missiles",)),
                  "a3", "t", T0 + 2 * DAY)  # fmt: skip
    assert (shells.kind, missiles.kind, more.kind) == ("new", "new", "corroborated")
    assert more.event_id == missiles.event_id


def test_a_strike_joins_a_supply_report_of_its_day_not_one_of_days_before():
    def strike(day: int) -> dict:
        return frame("strike", "strike", when=date(2024, 10, 18 + day),
                     objects=("ballistic_missiles",))  # fmt: skip

    book = EventBook({})
    supply = decide(book, frame("supply_arms", "supply"), "a1", "s", T0)
    later = decide(book, strike(3), "a2", "t", T0 + 3 * DAY)
    assert later.kind == "new" and later.event_id != supply.event_id
    book = EventBook({})
    supply = decide(book, frame("supply_arms", "supply"), "a1", "s", T0)
    same_day = decide(book, strike(0), "a2", "t", T0)
    assert same_day.event_id == supply.event_id


def test_a_technology_named_weeks_from_a_transfer_naming_none_is_another_transfer():
    book = EventBook({})
    general = decide(book, frame("transfer_technology", "technology", ("technology",)),
                     "a1", "s", T0)  # fmt: skip
    reactors = frame("transfer_technology", "technology", ("technology",),
                     when=date(2024, 11, 30), objects=("submarine",))  # fmt: skip
    later = decide(book, reactors, "a2", "t", T0 + 43 * DAY)
    assert later.kind == "new" and later.event_id != general.event_id


@pytest.mark.parametrize(
    "action, family, category, here, there",
    [
        # the Vladivostok-Wonsan ferry plan is not the train to Rason of weeks before
        ("transport_link", "transport", "economic", ("vladivostok", "rason"),
         ("vladivostok", "wonsan")),
        # the Songdowon children's camp is not the youth delegation in Pyongyang
        ("exchange", "exchange", "diplomatic", ("moscow", "pyongyang"), ("songdowon",)),
        # nor, on Russia's side, the Moscow train the Vladivostok one of weeks before
        ("transport_link", "transport", "economic", ("vladivostok", "pyongyang"),
         ("moscow", "pyongyang")),
    ],
)  # fmt: skip
def test_another_place_of_either_side_weeks_later_is_another_link_or_exchange(
    action, family, category, here, there
):
    def report(day: int, places: tuple[str, ...]) -> dict:
        return frame(action, family, (category,),
                     when=date(2024, 6, 3) + timedelta(days=day), places=places)  # fmt: skip

    book = EventBook({})
    first = decide(book, report(0, here), "a1", "s", T0)
    again = decide(book, report(10, here), "a2", "t", T0 + 10 * DAY)
    other = decide(book, report(25, there), "a3", "u", T0 + 25 * DAY)
    later = decide(book, report(27, there), "a4", "v", T0 + 27 * DAY)
    assert again.event_id == first.event_id
    assert other.kind == "new" and other.event_id != first.event_id
    assert later.event_id == other.event_id


def test_a_link_named_by_the_far_east_is_the_one_of_its_cities():
    """The Far East holds Vladivostok: a report naming the region days after one naming the
    city tells no other link."""

    def report(day: int, places: tuple[str, ...]) -> dict:
        return frame("transport_link", "transport", ("economic",),
                     when=date(2024, 6, 3) + timedelta(days=day), places=places)  # fmt: skip

    book = EventBook({})
    first = decide(book, report(0, ("vladivostok", "rason")), "a1", "s", T0)
    again = decide(book, report(10, ("far_east", "rason")), "a2", "t", T0 + 10 * DAY)
    assert again.kind == "corroborated" and again.event_id == first.event_id


def test_news_of_a_sanctions_rounds_day_is_not_part_of_the_round():
    book = EventBook({})
    day = date(2023, 8, 16)
    sanctions = decide(book, frame("designate", "designation", when=day), "a1", "s", T0)
    drills = decide(book, frame("train_troops", "training", when=day), "a2", "t", T0 + 3600)
    assert sanctions.kind == "new"
    assert drills.kind == "new" and drills.event_id != sanctions.event_id


def test_honours_of_different_kinds_are_different_developments_whatever_the_field():
    book = EventBook({})
    honour = dict(action="honour_fallen", family="memorial", places=("kursk",))
    monument = decide(book, frame(**honour, objects=("museum",)), "a1", "s", T0)
    # Medals proposed through the defence ministry (a field) five days on: not the monument.
    medals = decide(book, frame(**honour, objects=("state_awards", "defence"),
                                when=date(2024, 10, 23)), "a2", "t", T0 + 5 * DAY)  # fmt: skip
    again = decide(book, frame(**honour, objects=("state_awards",), when=date(2024, 10, 23)),
                   "a3", "u", T0 + 5 * DAY)  # fmt: skip
    assert (monument.kind, medals.kind, again.kind) == ("new", "new", "corroborated")
    assert again.event_id == medals.event_id != monument.event_id


def test_shipments_of_different_goods_are_different_developments():
    book = EventBook({})
    trade = {"action": "trade", "family": "trade", "categories": ("economic",)}
    oil = decide(book, frame(**trade, objects=("oil",)), "a1", "s", T0)
    coal = decide(book, frame(**trade, objects=("coal", "oil")), "a2", "t", T0 + 5 * DAY)
    again = decide(book, frame(**trade, objects=("oil",)), "a3", "u", T0 + 6 * DAY)
    assert (oil.kind, coal.kind) == ("new", "new")
    assert (again.event_id, again.kind) == (oil.event_id, "corroborated")


def test_a_trade_report_naming_no_goods_days_from_a_shipment_is_another_development():
    trade = dict(action="trade", family="trade", categories=("economic",))
    book = EventBook({})
    oil = decide(book, frame(**trade, objects=("oil",)), "a1", "s", T0)
    same_days = decide(book, frame(**trade, when=date(2024, 10, 19)), "a2", "t", T0 + DAY)
    weeks_on = decide(book, frame(**trade, when=date(2024, 11, 8)), "a3", "u", T0 + 21 * DAY)
    assert (oil.kind, same_days.kind, weeks_on.kind) == ("new", "corroborated", "new")
    assert same_days.event_id == oil.event_id != weeks_on.event_id


def test_goods_named_days_from_trade_news_naming_none_are_another_development():
    book = EventBook({})
    trade = {"action": "trade", "family": "trade", "categories": ("economic",)}
    settlement = decide(book, frame(**trade), "a1", "s", T0)
    oil = frame(**trade, objects=("oil",), when=date(2024, 11, 8))
    weeks_on = decide(book, oil, "a2", "t", T0 + 21 * DAY)
    assert weeks_on.kind == "new" and weeks_on.event_id != settlement.event_id
    # within days, goods may be what the news was about
    book = EventBook({})
    settlement = decide(book, frame(**trade), "b1", "s", T0)
    oil = frame(**trade, objects=("oil",), when=date(2024, 10, 20))
    assert decide(book, oil, "b2", "t", T0 + 2 * DAY).event_id == settlement.event_id


def test_shipments_of_other_tonnages_on_other_days_are_other_shipments():
    book = EventBook({})
    flour = {"action": "trade", "family": "trade", "categories": ("economic",)}
    may = frame(**flour, objects=("grain_food",), quantities=(("tonnes", 1276),))
    first = decide(book, may, "a1", "s", T0)
    june = frame(**flour, objects=("grain_food",), quantities=(("tonnes", 1080),))
    june["event_date"] = date(2024, 11, 20)
    later = decide(book, june, "a2", "t", T0 + 33 * DAY)
    same = frame(**flour, objects=("grain_food",), quantities=(("tonnes", 1300),))
    same["event_date"] = date(2024, 10, 20)
    again = decide(book, same, "a3", "u", T0 + 2 * DAY)  # within a tenth: the same shipment
    assert (first.kind, later.kind) == ("new", "new") and later.event_id != first.event_id
    assert (again.event_id, again.kind) == (first.event_id, "corroborated")


def test_livestock_traded_in_other_counts_on_other_days_are_other_consignments():
    book = EventBook({})
    goats = {"action": "trade", "family": "trade", "categories": ("economic",),
             "objects": ("livestock",)}  # fmt: skip
    third = decide(book, frame(**goats, quantities=(("animals", 150),)), "a1", "s", T0)
    december = frame(**goats, quantities=(("animals", 100),), when=date(2024, 11, 18))
    fourth = decide(book, december, "a2", "t", T0 + 31 * DAY)
    assert (third.kind, fourth.kind) == ("new", "new") and fourth.event_id != third.event_id
    # a gift's head count tells no consignment apart: Putin's horses, told again
    book = EventBook({})
    gift = {"action": "gift", "family": "gift", "categories": ("diplomatic",),
            "russia": ("putin",), "dprk": ("kim_jong_un",)}  # fmt: skip
    first = decide(book, frame(**gift, quantities=(("animals", 24),)), "b1", "s", T0)
    again = frame(**gift, quantities=(("animals", 2),), when=date(2024, 10, 20))
    assert decide(book, again, "b2", "t", T0 + 2 * DAY).event_id == first.event_id


def test_a_casualty_toll_days_from_a_fighting_event_is_another_assessment():
    book = EventBook({})
    combat = {"action": "combat", "family": "combat", "places": ("kursk",)}
    fighting = decide(book, frame(**combat), "a1", "s", T0)
    toll = frame(**combat, quantities=(("casualties", 3000),), when=date(2024, 12, 23))
    december = decide(book, toll, "a2", "t", T0 + 66 * DAY)
    same = frame(**combat, quantities=(("casualties", 3100),), when=date(2024, 12, 26))
    again = decide(book, same, "a3", "u", T0 + 69 * DAY)  # within a tenth: the same toll
    told = decide(book, frame(**combat, when=date(2024, 12, 27)), "a4", "v", T0 + 70 * DAY)
    assert (fighting.kind, december.kind) == ("new", "new")
    assert december.event_id != fighting.event_id
    assert (again.event_id, again.kind) == (december.event_id, "corroborated")
    assert told.event_id == december.event_id  # a report with no toll is no other assessment


def test_a_train_service_and_a_flight_route_are_different_links():
    book = EventBook({})
    link = dict(action="transport_link", family="transport", categories=("economic",))
    train = decide(book, frame(**link, objects=("railway", "flights")), "a1", "s", T0)
    flights = decide(book, frame(**link, objects=("flights",)), "a2", "t", T0 + 20 * DAY)
    again = decide(book, frame(**link, objects=("railway",)), "a3", "u", T0 + 21 * DAY)
    assert (train.kind, flights.kind, again.kind) == ("new", "new", "corroborated")
    assert again.event_id == train.event_id != flights.event_id


def test_visits_by_different_officials_in_one_week_are_different_events():
    book = EventBook({})
    visit = dict(
        action="summit", family="meeting", categories=("diplomatic",), dprk=("kim_jong_un",)
    )
    lavrov = decide(book, frame(**visit, russia=("lavrov",)), "a1", "s", T0)
    shoigu = decide(book, frame(**visit, russia=("shoigu",), when=date(2024, 10, 20)),
                    "a2", "s", T0 + 2 * DAY)  # fmt: skip
    thin = decide(book, frame(**visit, russia=("lavrov",), when=date(2024, 10, 19)),
                  "a3", "t", T0 + DAY)  # fmt: skip
    assert (lavrov.kind, shoigu.kind, thin.kind) == ("new", "new", "corroborated")
    assert thin.event_id == lavrov.event_id


def test_a_frame_is_compared_with_the_event_as_it_is_now_not_as_first_scored():
    # Scoring keeps a prepared view of each event's record; a report joining the event writes
    # a new record, and later frames are weighed against that one.
    book = EventBook({})
    visit = dict(
        action="summit", family="meeting", categories=("diplomatic",), dprk=("kim_jong_un",)
    )
    lavrov = decide(book, frame(**visit, russia=("lavrov",)), "a1", "s", T0)
    shoigus = frame(**visit, russia=("shoigu",))
    cutoff = T0 - 365 * DAY
    assert book.match(shoigus, T0, cutoff) is None  # Lavrov's visit is not Shoigu's
    both = decide(book, frame(**visit, russia=("lavrov", "shoigu")), "a2", "t", T0)
    assert both.event_id == lavrov.event_id
    assert book.match(shoigus, T0, cutoff) == lavrov.event_id  # now it names him


def test_a_report_that_only_corroborates_keeps_the_events_prepared_view():
    book = EventBook({})
    first = decide(book, frame(places=("kursk",)), "a1", "s", T0)
    event_id = first.event_id
    view = book._view(event_id, book.events[event_id])
    again = decide(book, frame(places=("kursk",)), "a2", "t", T0 + DAY)
    assert again.kind == "corroborated" and again.event_id == event_id
    assert book._view(event_id, book.events[event_id]) is view  # nothing it reads changed
    named = decide(book, frame(places=("kursk",), russia=("shoigu",)), "a3", "u", T0 + DAY)
    assert named.event_id == event_id
    fresh = book._view(event_id, book.events[event_id])
    assert fresh is not view and "shoigu" in fresh.russia


def test_a_message_days_after_one_the_other_way_is_another_message():
    book = EventBook({})
    greeting = dict(action="letter", family="message", categories=("diplomatic",),
                    russia=("putin",), dprk=("kim_jong_un",), objects=("new_year",))  # fmt: skip
    putins = decide(book, frame(**greeting, sender="russia"), "a1", "s", T0)
    again = decide(book, frame(**greeting, sender="russia", when=date(2024, 10, 21)),
                   "a2", "t", T0 + 3 * DAY)  # fmt: skip
    kims = decide(book, frame(**greeting, sender="dprk", when=date(2024, 10, 21)),
                  "a3", "u", T0 + 3 * DAY)  # fmt: skip
    # Told without a sender ("exchanged greetings"), or the same day: one exchange.
    either = decide(book, frame(**greeting, when=date(2024, 10, 21)), "a4", "v", T0 + 3 * DAY)
    replied = decide(book, frame(**greeting, sender="dprk"), "a5", "w", T0)
    assert (putins.kind, again.kind, kims.kind) == ("new", "corroborated", "new")
    assert again.event_id == putins.event_id != kims.event_id
    assert either.kind == "corroborated"
    assert replied.event_id == putins.event_id


def test_messages_of_one_day_from_other_senders_of_one_side_are_other_messages():
    book = EventBook({})
    telegram = dict(action="letter", family="message", categories=("diplomatic",),
                    dprk=("kim_jong_un",), objects=("liberation_day",),
                    sender="russia")  # fmt: skip
    medvedevs = decide(book, frame(**telegram, russia=("medvedev",)), "a1", "s", T0)
    again = decide(book, frame(**telegram, russia=("medvedev", "rus")), "a2", "t", T0)
    kprfs = decide(book, frame(**telegram, russia=("kprf",)), "a3", "u", T0)
    # a report naming no sender but the state is still the day's message
    states = decide(book, frame(**telegram, russia=("rus",)), "a4", "v", T0)
    assert (medvedevs.kind, again.kind, kprfs.kind) == ("new", "corroborated", "new")
    assert again.event_id == medvedevs.event_id != kprfs.event_id
    assert states.kind == "corroborated"
    # nor one naming only the resident envoy, who conveys any sender's message
    envoys = decide(book, frame(**telegram, russia=("matsegora",)), "a5", "w", T0)
    assert envoys.kind == "corroborated"


def test_a_named_visitor_days_after_a_visit_by_nobody_named_is_a_new_event():
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    delegation = decide(book, frame(**visit), "a1", "s", T0)
    # Three days on, a named official's arrival is another development.
    later = decide(book, frame(**visit, russia=("lavrov",), when=date(2024, 10, 21)),
                   "a2", "t", T0 + 3 * DAY)  # fmt: skip
    assert (delegation.kind, later.kind) == ("new", "new")
    # A background restatement naming the visitor joins the visit it restates.
    restated = decide(book, frame(**visit, basis="background", when=None, russia=("lavrov",)),
                      "a3", "u", T0 + 30 * DAY)  # fmt: skip
    assert restated.event_id == later.event_id
    # Nor, days after a visit by named people, is a delegation naming nobody that visit.
    book = EventBook({})
    named = decide(book, frame(**visit, dprk=("kim_jong_un",)), "a1", "s", T0)
    anonymous = decide(book, frame(**visit, when=date(2024, 10, 26)), "a2", "t", T0 + 8 * DAY)
    assert (named.kind, anonymous.kind) == ("new", "new")
    # The same day, a report naming who led the delegation tells of that visit.
    book = EventBook({})
    delegation = decide(book, frame(**visit), "a1", "s", T0)
    named = decide(book, frame(**visit, russia=("volodin",)), "a2", "t", T0)
    assert named.kind == "corroborated" and named.event_id == delegation.event_id
    # A leader receiving visitors names no visit of his own: Putin receiving, two days on, the
    # delegation that left Pyongyang for Moscow tells of that delegation's visit.
    book = EventBook({})
    left = decide(book, frame(**visit), "a1", "s", T0)
    received = decide(book, frame(**visit, russia=("putin",), dprk=("ri_hi_yong",),
                                  when=date(2024, 10, 20)), "a2", "t", T0 + 2 * DAY)  # fmt: skip
    assert received.kind == "corroborated" and received.event_id == left.event_id


def test_a_visit_naming_only_an_institution_named_before_is_that_institutions_visit():
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    # The emergencies ministry's delegation, named with a minister days before, and its
    # agreement reported days after naming nobody but the ministry: one visit.
    book = EventBook({})
    talks = decide(book, frame(**visit, russia=("emercom", "kurenkov")), "a1", "s", T0)
    agreed = decide(book, frame(**visit, russia=("emercom",), when=date(2024, 10, 24)),
                    "a2", "t", T0 + 6 * DAY)  # fmt: skip
    assert (talks.kind, agreed.kind) == ("new", "corroborated")
    assert agreed.event_id == talks.event_id
    # The defence ministry's delegation, and two days on its deputy minister's meetings (a
    # deputy's mention stays the minister's office): the ministry's one visit.
    book = EventBook({})
    arrived = decide(book, frame(**visit, russia=("rus_mod",), dprk=("no_kwang_chol",)),
                     "a1", "s", T0)  # fmt: skip
    meetings = decide(book, frame(**visit, russia=("rus_defence_minister",),
                                  when=date(2024, 10, 20)), "a2", "t", T0 + 2 * DAY)  # fmt: skip
    assert meetings.kind == "corroborated" and meetings.event_id == arrived.event_id
    # Another field's official days after it is still another visit.
    culture = decide(book, frame(**visit, russia=("lyubimova",), when=date(2024, 10, 20)),
                     "a3", "u", T0 + 2 * DAY)  # fmt: skip
    assert culture.kind == "new"


def test_one_visitor_meeting_several_hosts_is_one_visit():
    book = EventBook({})
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    lavrov = decide(book, frame(**visit, russia=("lavrov",), dprk=("choe_son_hui",)),
                    "a1", "s", T0)  # fmt: skip
    putin = decide(book, frame(**visit, russia=("putin",), dprk=("choe_son_hui",),
                               when=date(2024, 10, 19)), "a2", "t", T0 + DAY)  # fmt: skip
    assert (lavrov.kind, putin.kind) == ("new", "corroborated")
    assert putin.event_id == lavrov.event_id


def test_the_resident_envoy_who_met_a_visitor_tells_no_visits_apart():
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    airport = decide(book, frame(**visit, russia=("matsegora",)), "a1", "s", T0)
    talks = decide(book, frame(**visit, russia=("rudenko",), dprk=("choe_son_hui",),
                               when=date(2024, 10, 19)), "a2", "t", T0 + DAY)  # fmt: skip
    assert (airport.kind, talks.kind) == ("new", "corroborated")
    assert talks.event_id == airport.event_id
    # Another official, not a resident envoy, is another visit (as Lavrov's is not Shoigu's).
    book = EventBook({})
    decide(book, frame(**visit, russia=("shoigu",)), "a1", "s", T0)
    other = decide(book, frame(**visit, russia=("rudenko",), dprk=("choe_son_hui",),
                               when=date(2024, 10, 19)), "a2", "t", T0 + DAY)  # fmt: skip
    assert other.kind == "new"


def test_a_summit_and_the_treaty_signed_at_it_are_one_event():
    book = EventBook({})
    leaders = dict(categories=("diplomatic",), russia=("putin",), dprk=("kim_jong_un",))
    visit = decide(book, frame("summit", "meeting", **leaders), "a1", "s", T0)
    treaty = decide(book, frame("sign_agreement", "agreement", objects=("treaty",), **leaders),
                    "a2", "t", T0 + DAY)  # fmt: skip
    assert treaty.event_id == visit.event_id and treaty.kind in ("corroborated", "updated")


def test_a_report_that_adds_a_fact_is_an_update_naming_it():
    book = EventBook({})
    first = decide(book, frame(quantities=(("troops", 10000),)), "a1", "s", T0)
    same = decide(book, frame(quantities=(("troops", 10000),)), "a2", "t", T0 + DAY)
    more = decide(
        book, frame(quantities=(("troops", 12000),), places=("kursk",)), "a3", "u", T0 + 2 * DAY
    )
    assert (first.kind, same.kind, more.kind) == ("new", "corroborated", "updated")
    assert set(more.changes) == {"quantity: 12000 troops"}
    assert more.event_id == first.event_id


def test_a_background_restatement_corroborates_a_known_event_and_never_updates_it():
    book = EventBook({})
    first = decide(book, frame(quantities=(("troops", 10000),)), "a1", "s", T0)
    later = frame(when=None, basis="background", quantities=(("troops", 15000),))
    restated = decide(book, later, "a2", "t", T0 + 200 * DAY)
    assert restated.kind == "corroborated" and restated.event_id == first.event_id


def test_a_background_restatement_of_an_unknown_event_is_new():
    book = EventBook({})
    heard = decide(book, frame(when=None, basis="background", places=("kursk",)), "a1", "s", T0)
    assert heard.kind == "new" and heard.record["basis"] == "background"


def test_a_restatement_naming_nothing_but_the_two_states_starts_no_event():
    # "They took part in the friendship festival in the DPRK": no date, no object, no place,
    # no one but the states; it cannot tell which development it restates.
    book = EventBook({})
    vague = frame("summit", "meeting", categories=("diplomatic",), when=None, basis="background")
    assert decide(book, vague, "a1", "s", T0).event_id is None
    # Dated, it tells of that day's development.
    dated = dict(vague, event_date=date(2024, 10, 10), date_precision="day")
    assert decide(book, dated, "a2", "t", T0).kind == "new"


def test_a_restatement_of_history_starts_no_event_but_joins_a_known_one():
    book = EventBook({})
    # Flights "suspended since January 2020", restated in a 2024 report: no development now.
    old = frame("open_route", "transport", categories=("economic",), when=date(2020, 1, 1),
                basis="background")  # fmt: skip
    assert decide(book, old, "a1", "s", T0).event_id is None
    # "Last year", restated in February: the year may have ended weeks ago; it is told.
    last_year = dict(frame(when=date(2023, 1, 1), basis="background"), date_precision="year")
    assert decide(book, last_year, "a2", "t", T0 - 250 * DAY).kind == "new"
    # A report of a development of years ago is not history (it is what the report tells).
    reported = frame("open_route", "transport", categories=("economic",), when=date(2020, 1, 1))
    started = decide(book, reported, "a3", "u", T0)
    assert started.kind == "new"
    # And a restatement joins the event it restates, whatever its age.
    assert decide(book, old, "a4", "v", T0).event_id == started.event_id


def test_the_same_article_again_says_nothing_and_keeps_its_event_id():
    book = EventBook({})
    first = decide(book, frame(), "a1", "s", T0)
    again = decide(book, frame(), "a1", "s", T0)
    assert again.kind is None and again.event_id == first.event_id
    # A fresh index (its table lost) gives the re-processed article the same event id.
    assert decide(EventBook({}), frame(), "a1", "s", T0).event_id == first.event_id


def test_events_expire_on_event_time_and_the_index_forgets_them():
    book = EventBook({}, EventConfig(window=timedelta(days=30)))
    first = decide(book, frame(), "a1", "s", T0)
    assert book.sweep(T0 + 20 * DAY) == 0
    assert book.sweep(T0 + 31 * DAY) == 1 and book.events == {}
    late = decide(book, frame(when=date(2024, 10, 19)), "a2", "t", T0 + DAY)
    assert late.kind == "new" and late.event_id != first.event_id


def test_events_rebuilt_from_alerts_are_known_again():
    book = EventBook({})
    first = decide(
        book, frame(russia=("shoigu",), quantities=(("engineers", 1000),)), "a1", "s", T0
    )
    alert = {
        "event_id": first.event_id, "action": "deploy_troops", "category": "military",
        "categories": ["military"], "actors": [{"id": "shoigu", "side": "russia"},
                                               {"id": "prk", "side": "dprk"}],
        "objects": [], "places": [], "quantities": [], "event_date": "2024-10-18",
        "basis": "report", "published_at": "2024-10-18T00:00:00+00:00",
        "detected_at": "2026-12-01T00:00:00+00:00", "article_id": "a1", "source": "s",
        "sources": ["s"], "source_count": 1, "story_id": "st-a1", "languages": ["en"],
    }  # fmt: skip
    fresh = EventBook({})
    assert fresh.adopt(record_from_alerts([alert]).items()) == 1
    again = decide(fresh, frame(russia=("shoigu",)), "a2", "t", T0 + DAY)
    assert again.kind == "corroborated" and again.event_id == first.event_id


def test_a_messages_sender_is_known_again_from_its_alert():
    book = EventBook({})
    greeting = dict(action="letter", family="message", categories=("diplomatic",),
                    russia=("putin",), dprk=("kim_jong_un",))  # fmt: skip
    first = decide(book, frame(**greeting, sender="russia"), "a1", "s", T0)
    alert = {
        "event_id": first.event_id, "action": "letter", "category": "diplomatic",
        "categories": ["diplomatic"], "actors": [{"id": "putin", "side": "russia"},
                                                 {"id": "kim_jong_un", "side": "dprk"}],
        "sender": "russia", "event_date": "2024-10-18", "basis": "report",
        "published_at": "2024-10-18T00:00:00+00:00", "detected_at": "2026-12-01T00:00:00+00:00",
        "article_id": "a1", "source": "s", "story_id": "st-a1",
    }  # fmt: skip
    fresh = EventBook({})
    fresh.adopt(record_from_alerts([alert]).items())
    reply = decide(fresh, frame(**greeting, sender="dprk", when=date(2024, 10, 22)), "a2", "t",
                   T0 + 4 * DAY)  # fmt: skip
    assert reply.kind == "new" and reply.event_id != first.event_id


def test_malformed_alerts_read_back_are_skipped():
    good = {
        "event_id": "ev1", "action": "summit", "category": "diplomatic", "actors": [],
        "detected_at": "2024-10-18T00:00:00+00:00", "article_id": "a1", "event_date": None,
    }  # fmt: skip
    bad = [
        {**good, "event_id": "ev2", "event_date": "11/05/2024"},
        {k: v for k, v in good.items() if k != "article_id"} | {"event_id": "ev3"},
        {**good, "event_id": "ev4", "source_count": "many"},
        {"alert_id": "s1", "kind": "new"},  # schema 1
        "not an alert",
    ]
    assert set(record_from_alerts([*bad, good])) == {"ev1"}


def test_a_report_published_after_it_was_said_does_not_move_the_adopted_event_ahead():
    alert = {
        "event_id": "ev1", "action": "summit", "category": "diplomatic", "actors": [],
        "published_at": "2024-12-05T00:00:00+00:00", "detected_at": "2024-11-06T00:00:00+00:00",
        "article_id": "a1",
    }  # fmt: skip
    record = record_from_alerts([alert])["ev1"]
    assert record["seen"] == datetime(2024, 11, 6, tzinfo=UTC).timestamp()


def test_an_index_rebuilt_on_takeover_answers_as_the_one_built_while_processing():
    """Two books fed the same stream (re-sent articles, sweeps, many events of one key): one
    keeps its index, the other rebuilds it before every frame; they decide alike."""
    import random

    rng = random.Random(5)
    kept = EventBook({}, EventConfig(window=timedelta(days=40)))
    rebuilt = EventBook({}, EventConfig(window=timedelta(days=40)))
    people = ["lavrov", "shoigu", "putin", "belousov", "kozlov", "peskov", "medvedev",
              "gerasimov", "matsegora"]  # fmt: skip
    sent: list[tuple[str, dict, float]] = []
    for step in range(1500):
        day = step // 6
        old = [s for s in sent if s[2] < T0 + (day - 45) * DAY]
        if old and rng.random() < 0.15:
            article, f, _ = rng.choice(old)  # an old article again, its event expired
            ts = T0 + day * DAY
        else:
            f = frame("summit", "meeting", ("diplomatic",),
                      when=date(2024, 1, 1) + timedelta(days=day),
                      russia=(rng.choice(people),), dprk=("kim_jong_un",))  # fmt: skip
            article, ts = f"a{step}", T0 + day * DAY
            sent.append((article, f, ts))
        rebuilt.rebuild_index()
        one = decide(kept, f, article, f"s{step % 7}", ts)
        two = decide(rebuilt, f, article, f"s{step % 7}", ts)
        assert (one.event_id, one.kind) == (two.event_id, two.kind), step
        if step % 120 == 119:
            kept.sweep(ts)
            rebuilt.sweep(ts)


def test_a_weak_or_thin_frame_joins_a_known_event_but_starts_none():
    book = EventBook({})
    weak = {**frame(), "confidence": 0.6 * 0.9}  # the other side only in the sentence before
    thin = frame("military_other", "military_other")
    assert decide(book, weak, "a1", "s", T0).event_id is None
    assert decide(book, thin, "a2", "s", T0).event_id is None
    hedged = {**frame(), "confidence": 0.6 * 0.875, "hedged": True}  # "reportedly sent"
    first = decide(book, hedged, "a3", "s", T0)
    assert first.kind == "new"
    joined = decide(book, weak, "a4", "t", T0 + DAY)
    assert (joined.kind, joined.event_id) == ("corroborated", first.event_id)


def test_speculation_joins_a_known_event_but_starts_none():
    book = EventBook({})
    supply = dict(action="supply_arms", family="supply", objects=("ballistic_missiles",))
    guess = {**frame(**supply), "speculative": True}  # "could be supplying missiles"
    assert decide(book, guess, "a1", "s", T0).event_id is None
    first = decide(book, frame(**supply), "a2", "s", T0 + DAY)
    assert first.kind == "new"
    later = decide(book, {**guess, "event_date": date(2024, 10, 20)}, "a3", "t", T0 + 2 * DAY)
    assert (later.kind, later.event_id) == ("corroborated", first.event_id)


def _in_article(book: EventBook, f: dict, developed: str | None, ts: float = T0):
    return book.decide(
        f, article_id="a1", source="tass", story_id="st-a1", lang="ru", ts=ts,
        article_event=developed,
    )  # fmt: skip


def test_one_article_tells_one_development_per_category_in_several_families():
    # "The DPRK has sent 5,000 more servicemen to Russia ... military builders ...": a
    # deployment and engineers, one development.
    book = EventBook({})
    first = _in_article(book, frame(), None)
    builders = frame("send_engineers", "engineers", objects=("military_builders",), start=40)
    joined = _in_article(book, builders, first.event_id)
    assert first.kind == "new" and joined.kind is None
    assert joined.event_id == first.event_id
    assert joined.record["families"] == ["deployment", "engineers"]
    assert joined.record["objects"] == ["military_builders"]


def test_another_senders_message_in_one_article_is_its_own_development():
    # Putin's greetings, then "Medvedev also sent a congratulatory telegram".
    book = EventBook({})
    message = dict(action="letter", family="message", categories=("diplomatic",))
    message.update(dprk=("kim_jong_un",), sender="russia")
    first = _in_article(book, frame(**message, russia=("putin",)), None)
    telegram = frame(**message, russia=("medvedev", "united_russia"), start=40)
    second = _in_article(book, telegram, first.event_id)
    assert (first.kind, second.kind) == ("new", "new")
    assert second.event_id != first.event_id
    # the same sender's words told again stay its development
    again = _in_article(book, frame(**message, russia=("putin",), start=80), first.event_id)
    assert again.event_id == first.event_id


def test_another_category_or_a_date_weeks_away_in_one_article_is_its_own_development():
    book = EventBook({})
    first = _in_article(book, frame(), None)
    visit = frame("visit", "meeting", ("diplomatic",), russia=("lavrov",), start=40)
    august = frame("send_engineers", "engineers", when=date(2024, 8, 20), start=80)
    assert _in_article(book, visit, first.event_id).kind == "new"
    assert _in_article(book, august, first.event_id).kind == "new"


def test_a_frame_of_a_known_event_corroborates_it_rather_than_joining_the_article():
    book = EventBook({})
    builders = frame(
        "send_engineers", "engineers", objects=("military_builders",), when=date(2024, 10, 16)
    )
    earlier = decide(book, builders, "a0", "yonhap", T0 - 2 * DAY)
    first = _in_article(book, frame(), None)
    again = _in_article(book, {**builders, "evidence_span": (40, 50)}, first.event_id)
    assert first.kind == "new" and first.event_id != earlier.event_id
    assert (again.event_id, again.kind) == (earlier.event_id, "corroborated")


def test_a_background_frame_is_not_taken_for_the_article_development():
    book = EventBook({})
    first = _in_article(book, frame(), None)
    old = frame("send_engineers", "engineers", when=None, basis="background", start=40,
                places=("kursk",))  # fmt: skip
    restated = _in_article(book, old, first.event_id)
    assert restated.kind == "new" and restated.event_id != first.event_id
    assert restated.record["basis"] == "background"


def test_a_report_days_after_an_event_known_only_as_background_is_another_development():
    book = EventBook({})
    restated = decide(book, frame(when=None, basis="background", places=("kursk",)), "a0", "tass",
                      T0)  # fmt: skip
    later = frame(when=date(2024, 10, 27))
    fresh = decide(book, later, "a1", "yonhap", T0 + 9 * DAY)
    assert restated.kind == "new" and fresh.kind == "new"
    assert fresh.event_id != restated.event_id
    # The same days it may be the development restated: it joins and makes it reported.
    book = EventBook({})
    restated = decide(book, frame(when=None, basis="background", places=("kursk",)), "a0", "tass",
                      T0)  # fmt: skip
    same_days = decide(book, frame(when=date(2024, 10, 19)), "a1", "yonhap", T0 + DAY)
    assert same_days.event_id == restated.event_id
    assert same_days.record["basis"] == "report"


def test_workers_or_tourists_reported_weeks_apart_are_different_developments():
    workers = dict(action="send_workers", family="labour", categories=("labour",))
    book = EventBook({})
    sent = decide(book, frame(**workers), "a1", "s", T0)
    days_later = decide(book, frame(**workers, when=date(2024, 10, 28)), "a2", "t", T0 + 10 * DAY)
    weeks_later = decide(book, frame(**workers, when=date(2024, 11, 8)), "a3", "u", T0 + 21 * DAY)
    assert (days_later.event_id, days_later.kind) == (sent.event_id, "corroborated")
    assert weeks_later.kind == "new"
    tours = dict(action="tourism", family="tourism", categories=("economic",))
    book = EventBook({})
    first = decide(book, frame(**tours, objects=("tourists",)), "a1", "s", T0)
    month_later = decide(book, frame(**tours, objects=("tourists",), when=date(2024, 11, 18)),
                         "a2", "t", T0 + 31 * DAY)  # fmt: skip
    assert (first.kind, month_later.kind) == ("new", "new")


def test_workers_for_different_russian_regions_are_different_developments():
    book = EventBook({})
    labour = {"action": "send_workers", "family": "labour", "categories": ("labour",)}
    far_east = decide(book, frame(**labour, places=("primorye",)), "a1", "yonhap", T0)
    siberia = decide(
        book, frame(**labour, places=("novosibirsk",), when=date(2024, 10, 25)), "a2", "tass",
        T0 + 7 * DAY,
    )  # fmt: skip
    assert siberia.kind == "new" and siberia.event_id != far_east.event_id
    # The capital is the government's seat, not a region: it contradicts neither.
    again = frame(**labour, places=("moscow",), when=date(2024, 10, 26))
    joined = decide(book, again, "a3", "rbc", T0 + 8 * DAY)
    assert joined.kind == "corroborated"
    assert joined.event_id in {far_east.event_id, siberia.event_id}


def test_workers_for_a_plant_in_a_region_are_that_regions_workers():
    # 25,000 workers for Tatarstan, then the same plan told as workers for Alabuga (a special
    # economic zone in Tatarstan): one development. Workers for Primorye are another.
    book = EventBook({})
    labour = {"action": "send_workers", "family": "labour", "categories": ("labour",)}
    tatarstan = decide(book, frame(**labour, places=("tatarstan",)), "a1", "yonhap", T0)
    alabuga = decide(book, frame(**labour, places=("alabuga",)), "a2", "unn", T0 + DAY)
    primorye = decide(book, frame(**labour, places=("primorye",)), "a3", "tass", T0 + DAY)
    assert (alabuga.event_id, alabuga.kind) == (tatarstan.event_id, "corroborated")
    assert primorye.kind == "new"


def test_acts_of_one_visit_in_other_families_are_that_visit():
    # Shoigu's visit: the missiles Kim showed him and the message he brought are the visit,
    # reported the same days; days later, or by other people, they are developments of their own.
    book = EventBook({})
    talks = frame("summit", "meeting", ("diplomatic",), russia=("shoigu",), dprk=("kim_jong_un",))
    visit = decide(book, talks, "a1", "s", T0)
    shown = decide(book, frame("supply_arms", "supply", russia=("shoigu",),
                               objects=("ballistic_missiles",), when=date(2024, 10, 19)),
                   "a2", "t", T0 + DAY)  # fmt: skip
    assert shown.event_id == visit.event_id and shown.kind == "updated"
    assert "category: military" in shown.changes
    letter = frame("letter", "message", categories=("diplomatic",), russia=("putin", "shoigu"),
                   dprk=("kim_jong_un",))  # fmt: skip
    assert decide(book, letter, "a3", "u", T0).event_id == visit.event_id
    later = decide(book, frame("letter", "message", categories=("diplomatic",),
                               russia=("putin",), dprk=("kim_jong_un",),
                               when=date(2024, 10, 21)), "a4", "v", T0 + 3 * DAY)  # fmt: skip
    assert later.kind == "new" and later.event_id != visit.event_id
    # A frame naming nobody does not join an event of named people on its day.
    anonymous = decide(book, frame("supply_arms", "supply", objects=("shells",)), "a5", "w", T0)
    assert anonymous.kind == "new" and anonymous.event_id != visit.event_id


def test_reports_naming_nobody_of_one_day_and_category_in_other_families_are_one_event():
    book = EventBook({})
    engineers = decide(book, frame("send_engineers", "engineers"), "a1", "s", T0)
    sent = decide(book, frame("supply_arms", "supply"), "a2", "t", T0)
    assert sent.event_id == engineers.event_id and sent.kind != "new"
    # Another category is another development, even the same day.
    workers = decide(book, frame("send_workers", "labour", categories=("labour",)), "a3", "u", T0)
    assert workers.kind == "new" and workers.event_id != engineers.event_id
    # Another primary category, or an institution's act, is not the day's sending either:
    # Roscosmos helping with a launcher the day troops were reported sent.
    tech = dict(categories=("technology", "military"))
    launcher = decide(book, frame("transfer_technology", "technology", **tech), "a5", "w", T0)
    assert launcher.kind == "new" and launcher.event_id != engineers.event_id
    book2 = EventBook({})
    decide(book2, frame("send_engineers", "engineers", categories=("military", "technology")),
           "b1", "s", T0)  # fmt: skip
    named = frame("transfer_technology", "technology", russia=("roscosmos",), **tech)
    assert decide(book2, named, "b2", "t", T0).kind == "new"
    # An incident is its own development the same day: soldiers captured are not the day's
    # sending.
    captured = decide(book, frame("captured", "captured"), "a4", "v", T0)
    assert captured.kind == "new" and captured.event_id != engineers.event_id


def test_a_report_of_the_days_occasion_joins_it_rather_than_its_familys_older_event():
    book = EventBook({})
    # Troops reported sent in October; three weeks later engineers are sent, and another
    # outlet tells the same day's sending as a deployment.
    older = decide(book, frame(), "a1", "s", T0)
    later = T0 + 21 * DAY
    day = date(2024, 11, 8)
    engineers = decide(book, frame("send_engineers", "engineers", when=day), "a2", "t", later)
    assert engineers.kind == "new" and engineers.event_id != older.event_id
    told = decide(book, frame(when=day), "a3", "u", later)
    assert told.event_id == engineers.event_id and told.kind != "new"
    # Its own family's event of the same days stays its event.
    again = decide(book, frame(when=date(2024, 10, 19)), "a4", "v", T0 + DAY)
    assert again.event_id == older.event_id


def test_a_law_ratified_is_no_occasion_of_what_its_signer_does_the_next_day():
    # Putin signs the treaty's ratification; the next day's news of his gift to the North's
    # zoo is a development of its own, though it names him on the law's days. A meeting of his
    # is the occasion of his gift.
    book = EventBook({})
    law = frame("ratify_treaty", "ratification", ("diplomatic",), when=date(2024, 11, 9),
                russia=("putin",))  # fmt: skip
    ratified = decide(book, law, "a1", "s", T0)
    gift = frame("gift", "gift", ("diplomatic",), when=date(2024, 11, 10), russia=("putin",))
    given = decide(book, gift, "a2", "t", T0 + DAY)
    assert ratified.kind == given.kind == "new" and given.event_id != ratified.event_id
    other = EventBook({})
    met = decide(other, frame("summit", "meeting", ("diplomatic",), when=date(2024, 11, 9),
                              russia=("putin",)), "b1", "s", T0)  # fmt: skip
    assert decide(other, gift, "b2", "t", T0 + DAY).event_id == met.event_id


def test_a_report_naming_the_days_object_joins_the_event_another_family_told_it_as():
    # Flights proposed at the day's talks: one outlet tells a link opened, another the talks
    # that proposed it, both naming the flights; a trade report two days on is news of its own.
    book = EventBook({})
    day = date(2023, 11, 20)
    link = decide(book, frame("transport_link", "transport", ("economic",), when=day,
                              objects=("flights",)), "a1", "s", T0)  # fmt: skip
    talks = frame("summit", "meeting", ("diplomatic",), when=day, objects=("flights",))
    told = decide(book, talks, "a2", "t", T0)
    assert link.kind == "new" and told.event_id == link.event_id and told.kind != "new"
    later = decide(book, {**talks, "event_date": date(2023, 11, 22)}, "a3", "u", T0 + 2 * DAY)
    assert later.kind == "new" and later.event_id != link.event_id
    # Other people's talks of the day, though they name the flights, are their own.
    other = EventBook({})
    decide(other, frame("transport_link", "transport", ("economic",), when=day,
                        russia=("lavrov",), objects=("flights",)), "b1", "s", T0)  # fmt: skip
    shoigus = decide(other, {**talks, "russia_actors": ["shoigu"]}, "b2", "t", T0)
    assert shoigus.kind == "new"


def test_a_visit_of_several_days_is_the_occasion_of_what_its_last_day_reports():
    book = EventBook({})
    # A minister arrives on the 25th; a report dates his talks to the 26th; on the 27th he is
    # shown missiles: the display is part of the visit, two days after its first day.
    visit = frame("summit", "meeting", categories=("diplomatic",), russia=("shoigu",),
                  when=date(2023, 7, 25))  # fmt: skip
    arrived = decide(book, visit, "a1", "s", T0)
    talks = decide(book, {**visit, "event_date": date(2023, 7, 26)}, "a2", "t", T0 + DAY)
    assert talks.event_id == arrived.event_id
    assert talks.record["until"] - talks.record["date"] == 1
    shown = frame("show_weapons", "inspection", russia=("shoigu",), when=date(2023, 7, 27))
    display = decide(book, shown, "a3", "u", T0 + 2 * DAY)
    assert display.event_id == arrived.event_id and display.kind != "new"
    # Without a report of its second day, the display two days on is an occasion of its own.
    single = EventBook({})
    first = decide(single, visit, "b1", "s", T0)
    apart = decide(single, shown, "b3", "u", T0 + 2 * DAY)
    assert apart.kind == "new" and apart.event_id != first.event_id
    # A report dated beyond a few days does not stretch the visit.
    late = decide(book, {**visit, "event_date": date(2023, 8, 10)}, "a4", "v", T0 + 16 * DAY)
    assert late.record["until"] - late.record["date"] <= 5


def test_a_report_of_a_family_an_event_took_in_later_joins_that_days_event():
    book = EventBook({})
    # One article: a rail link agreed at a governor's meeting with a delegation; its meeting
    # frame joins the link's event (the article's development).
    rail = frame("transport_link", "transport", categories=("economic",), russia=("kozhemyako",))
    link = decide(book, rail, "a1", "s", T0)
    meeting = frame("summit", "meeting", categories=("diplomatic", "economic"),
                    russia=("kozhemyako",), start=40)  # fmt: skip
    assert decide(book, meeting, "a1", "s", T0).event_id == link.event_id
    # Another outlet reports the governor's meeting the same day: that visit, not a new one.
    told = decide(book, frame("summit", "meeting", categories=("diplomatic",),
                              russia=("kozhemyako",)), "a2", "t", T0)  # fmt: skip
    assert told.event_id == link.event_id and told.kind != "new"


def test_a_visit_days_later_in_other_cities_is_another_visit():
    # A Russian delegation in Pyongyang, then, eight days on, a North Korean delegation
    # arriving in Vladivostok: neither names who led it, but they are two visits.
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    pyongyang = decide(book, frame(**visit, places=("pyongyang",)), "a1", "s", T0)
    vladivostok = decide(book, frame(**visit, places=("vladivostok",), when=date(2024, 10, 26)),
                         "a2", "t", T0 + 8 * DAY)  # fmt: skip
    assert (pyongyang.kind, vladivostok.kind) == ("new", "new")
    # The same days, a report naming another city of the visit is still that visit.
    book = EventBook({})
    pyongyang = decide(book, frame(**visit, places=("pyongyang",)), "a1", "s", T0)
    wonsan = decide(book, frame(**visit, places=("wonsan",), when=date(2024, 10, 19)),
                    "a2", "t", T0 + DAY)  # fmt: skip
    assert wonsan.event_id == pyongyang.event_id


def test_delegations_of_different_fields_are_different_visits_and_a_field_is_no_news():
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    sports = decide(book, frame(**visit, objects=("sport",)), "a1", "s", T0)
    security = decide(book, frame(**visit, objects=("security",), when=date(2024, 10, 20)),
                      "a2", "t", T0 + 2 * DAY)  # fmt: skip
    assert (sports.kind, security.kind) == ("new", "new")
    # A report of a known visit naming its field for the first time corroborates it.
    book = EventBook({})
    visit_ = decide(book, frame(**visit), "a1", "s", T0)
    named = decide(book, frame(**visit, objects=("education",)), "a2", "t", T0 + DAY)
    assert (named.event_id, named.kind) == (visit_.event_id, "corroborated")


def test_reports_of_a_flight_within_days_are_one_flight_a_later_flight_another():
    flight = dict(action="military_flight", family="flight", places=("pyongyang",))
    book = EventBook({})
    first = decide(book, frame(**flight), "a1", "s", T0)
    days_later = decide(book, frame(**flight, when=date(2024, 10, 22)), "a2", "t", T0 + 4 * DAY)
    assert first.kind == "new"
    assert (days_later.event_id, days_later.kind) == (first.event_id, "corroborated")
    weeks_later = decide(book, frame(**flight, when=date(2024, 11, 5)), "a3", "u", T0 + 18 * DAY)
    assert weeks_later.kind == "new" and weeks_later.event_id != first.event_id


def test_a_camp_on_the_other_sides_ground_is_another_camp():
    # Russian players trained in Pyongyang in October; in November the North's trained in
    # Vladivostok: two developments, though a month's window holds both.
    camp = dict(action="sports", family="sports", categories=("diplomatic",), objects=("sport",))
    book = EventBook({})
    pyongyang = decide(book, frame(**camp, places=("pyongyang",), when=date(2024, 10, 1)),
                       "a1", "s", T0)  # fmt: skip
    vladivostok = decide(book, frame(**camp, places=("vladivostok",), when=date(2024, 11, 1)),
                         "a2", "t", T0 + 5 * DAY)  # fmt: skip
    assert (pyongyang.kind, vladivostok.kind) == ("new", "new")
    assert vladivostok.event_id != pyongyang.event_id
    # Another report of the camp in Pyongyang joins it.
    again = decide(book, frame(**camp, places=("pyongyang",), when=date(2024, 10, 1)),
                   "a3", "u", T0 + 6 * DAY)  # fmt: skip
    assert (again.event_id, again.kind) == (pyongyang.event_id, "corroborated")


def test_a_frame_of_another_field_is_neither_the_days_occasion_nor_its_articles_development():
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    camp = dict(action="sports", family="sports", categories=("diplomatic",), objects=("sport",))
    # A culture agreement the day before; a camp reported naming no one is not it.
    book = EventBook({})
    deal = decide(book, frame("sign_agreement", "agreement", ("diplomatic",), objects=("culture",)),
                  "a1", "s", T0)  # fmt: skip
    sports = decide(book, frame(**camp), "a2", "t", T0 + DAY)
    assert sports.kind == "new" and sports.event_id != deal.event_id
    # Without a field of its own it is the day's occasion, as before.
    other = decide(book, frame("exchange", "exchange", ("diplomatic",)), "a3", "u", T0 + DAY)
    assert other.event_id in (deal.event_id, sports.event_id) and other.kind != "new"
    # One dispatch: an agriculture delegation's talks, then the IT minister's delegation.
    book = EventBook({})
    first = _in_article(book, frame(**visit, objects=("agriculture",)), None)
    it = _in_article(book, frame(**visit, objects=("digital",), start=40), first.event_id)
    assert it.kind == "new" and it.event_id != first.event_id


def test_goods_traded_are_not_the_days_occasion_of_an_event_of_other_goods():
    # A rail link the same day, naming no one; a permit to import beer, naming no one either,
    # is no part of it: both name goods, none shared.
    book = EventBook({})
    rail = decide(book, frame("transport_link", "transport", ("economic",), objects=("railway",)),
                  "a1", "s", T0)  # fmt: skip
    beer = decide(book, frame("trade", "trade", ("economic",), objects=("consumer_goods",)),
                  "a2", "t", T0)  # fmt: skip
    assert beer.kind == "new" and beer.event_id != rail.event_id
    # Naming no goods, it is the day's occasion, as before.
    other = decide(book, frame("trade", "trade", ("economic",)), "a3", "u", T0)
    assert other.kind != "new" and other.event_id in (rail.event_id, beer.event_id)


def test_a_fields_delegation_is_not_a_regions_visit_of_the_same_days():
    # The Oryol region's delegation talks in Pyongyang; the next day the army's political
    # directorate arrives, met by the KPA: another visit, though neither names a person.
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    oryol = decide(book, frame(**visit, places=("oryol",)), "a1", "s", T0)
    army = decide(book, frame(**visit, dprk=("kpa",), objects=("defence",),
                              places=("pyongyang",)), "a2", "t", T0 + DAY)  # fmt: skip
    assert army.kind == "new" and army.event_id != oryol.event_id
    # A report of the region's visit that names its field joins it, as before.
    again = decide(book, frame(**visit, objects=("education",), places=("oryol",)),
                   "a3", "u", T0 + DAY)  # fmt: skip
    assert again.event_id == oryol.event_id and again.kind != "new"


def test_a_visit_days_from_an_event_it_shares_nothing_with_is_another_visit():
    # Talks about shells, then, nine days on, a sports minister's delegation in Pyongyang:
    # neither names anyone but the two states; the second names a field the first has not.
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    talks = decide(book, frame(**visit, objects=("artillery_shells",)), "a1", "s", T0)
    sports = decide(book, frame(**visit, objects=("sport",), places=("pyongyang",),
                                when=date(2024, 10, 27)), "a2", "t", T0 + 9 * DAY)  # fmt: skip
    assert (talks.kind, sports.kind) == ("new", "new")
    # A parliament delegation in Pyongyang, four days after a rail delegation in Primorye.
    book = EventBook({})
    rail = decide(book, frame(**visit, objects=("railway",), places=("primorye",)), "a1", "s", T0)
    deputies = decide(book, frame(**visit, objects=("parliament",), places=("pyongyang",),
                                  when=date(2024, 10, 22)), "a2", "t", T0 + 4 * DAY)  # fmt: skip
    assert (rail.kind, deputies.kind) == ("new", "new")
    # Days later, a report of the deputies' visit naming its place again is that visit.
    again = decide(book, frame(**visit, places=("pyongyang",), when=date(2024, 10, 25)),
                   "a3", "u", T0 + 7 * DAY)  # fmt: skip
    assert (again.event_id, again.kind) == (deputies.event_id, "corroborated")


def test_an_institution_gives_its_delegation_a_field():
    # A party delegation (the WPK, no field word) and, a week on, a sports delegation naming
    # nobody: two visits. A report of the party's visit naming its field joins it.
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    party = decide(book, frame(**visit, dprk=("wpk",)), "a1", "s", T0)
    sports = decide(book, frame(**visit, objects=("sport",), when=date(2024, 10, 25)),
                    "a2", "t", T0 + 7 * DAY)  # fmt: skip
    assert (party.kind, sports.kind) == ("new", "new")
    again = decide(book, frame(**visit, objects=("party",), when=date(2024, 10, 19)),
                   "a3", "u", T0 + DAY)  # fmt: skip
    assert again.event_id == party.event_id


def test_a_foreign_ministers_visit_is_not_a_delegation_of_another_field():
    # A parliament delegation in Moscow and, the next day, the North's foreign minister's
    # visit there (the ministers stand for foreign affairs): two visits. The minister's
    # talks told again join hers.
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    deputies = decide(book, frame(**visit, objects=("parliament",), places=("moscow",)),
                      "a1", "s", T0)  # fmt: skip
    minister = decide(book, frame(**visit, dprk=("choe_son_hui",), places=("moscow",),
                                  when=date(2024, 10, 19)), "a2", "t", T0 + DAY)  # fmt: skip
    assert (deputies.kind, minister.kind) == ("new", "new")
    talks = decide(book, frame(**visit, russia=("lavrov",), dprk=("choe_son_hui",),
                               when=date(2024, 10, 20)), "a3", "u", T0 + 2 * DAY)  # fmt: skip
    assert talks.event_id == minister.event_id


def test_a_summit_told_with_its_foreign_minister_and_with_its_defence_minister_is_one():
    # The foreign and defence ministers stand for other fields, but reports naming the same
    # leaders are of one summit.
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    book = EventBook({})
    first = decide(book, frame(**visit, russia=("putin", "lavrov"), dprk=("kim_jong_un",),
                               places=("pyongyang",)), "a1", "s", T0)  # fmt: skip
    other = decide(book, frame(**visit, russia=("putin", "belousov"), dprk=("kim_jong_un",),
                               places=("pyongyang",)), "a2", "t", T0 + 3600)  # fmt: skip
    assert first.kind == "new" and other.event_id == first.event_id


def test_last_years_figure_is_told_from_the_year_befores_and_joins_its_own():
    """A statistic published for last year (trade in 2024, tourists in 2024) is news of its
    own: it does not join the figure of the year before, and reports of it join each other."""
    book = EventBook({})
    trade = dict(action="trade", family="trade", categories=("economic",))

    def figure(year: int) -> dict:
        f = frame(**trade, when=date(year, 1, 1))
        f["date_precision"] = "year"
        return f

    ts_2024 = datetime(2024, 6, 17, tzinfo=UTC).timestamp()
    ts_2025 = datetime(2025, 6, 11, tzinfo=UTC).timestamp()
    first = decide(book, figure(2023), "a1", "tass", ts_2024)
    later = decide(book, figure(2024), "a2", "tass", ts_2025)
    again = decide(book, figure(2024), "a3", "nknews", ts_2025 + DAY, "ko")
    assert (first.kind, later.kind, again.kind) == ("new", "new", "corroborated")
    assert again.event_id == later.event_id != first.event_id
    # A report dated within last year joins that year's figure only if it shares what it
    # is about (an object or a place): "last year 250 students at Songdowon" is that camp.
    camp = dict(action="exchange", family="exchange", categories=("diplomatic",))
    summer = decide(book, frame(**camp, when=date(2024, 7, 20), places=("songdowon",)),
                    "b1", "kcna", datetime(2024, 7, 20, tzinfo=UTC).timestamp())  # fmt: skip
    told = frame(**camp, when=date(2024, 1, 1), places=("songdowon",))
    told["date_precision"] = "year"
    assert decide(book, told, "b2", "yonhap", ts_2025, "ko").event_id == summer.event_id
    other = frame(**camp, when=date(2024, 1, 1), places=("moscow",))
    other["date_precision"] = "year"
    assert decide(book, other, "b3", "yonhap", ts_2025, "ko").event_id != summer.event_id


def test_messages_for_different_occasions_are_different_developments():
    """Kim's congratulations on Putin's re-election and, five days later, his condolences over
    an attack are two messages; another outlet's report of the condolences joins them."""
    book = EventBook({})
    message = dict(action="letter", family="message", categories=("diplomatic",),
                   russia=("putin",), dprk=("kim_jong_un",))  # fmt: skip
    ts = datetime(2024, 3, 18, tzinfo=UTC).timestamp()
    won = decide(book, frame(**message, when=date(2024, 3, 18), objects=("election",)),
                 "a1", "yonhap", ts)  # fmt: skip
    grief = decide(book, frame(**message, when=date(2024, 3, 23), objects=("condolences",)),
                   "a2", "kcna", ts + 5 * DAY)  # fmt: skip
    again = decide(book, frame(**message, when=date(2024, 3, 24), objects=("condolences",)),
                   "a3", "tass", ts + 6 * DAY, "ru")  # fmt: skip
    assert (won.kind, grief.kind, again.kind) == ("new", "new", "corroborated")
    assert again.event_id == grief.event_id != won.event_id


def test_each_strike_with_the_norths_missiles_is_a_development_of_its_own():
    """The supply revealed and the strike it was fired in, days apart, are one development; a
    strike weeks later, on another city, is another one, though a supply is 90 days wide."""
    book = EventBook({})
    missiles = ("ballistic_missiles",)
    supply = dict(action="supply_arms", family="supply", objects=missiles)
    strike = dict(action="strike", family="strike", objects=missiles)
    ts = datetime(2024, 1, 4, tzinfo=UTC).timestamp()
    told = decide(book, frame(**supply, when=date(2024, 1, 4)), "a1", "whitehouse", ts)
    fired = decide(book, frame(**strike, when=date(2024, 1, 6)), "a2", "yonhap", ts + 2 * DAY)
    later = decide(book, frame(**strike, when=date(2024, 2, 7)), "a3", "ukrinform",
                   ts + 34 * DAY)  # fmt: skip
    assert (told.kind, fired.kind, later.kind) == ("new", "corroborated", "new")
    assert fired.event_id == told.event_id != later.event_id


def claimed_supply(book, when, claimants, article):
    """A shell-supply report of `when` (its article's day) attributed to `claimants`."""
    f = frame("supply_arms", "supply", when=when, claimants=claimants,
              objects=("artillery_shells",))  # fmt: skip
    ts = datetime(when.year, when.month, when.day, tzinfo=UTC).timestamp()
    return decide(book, f, article, f"s-{article}", ts)


def test_an_assessment_by_other_claimants_days_later_is_another_supply():
    def supply(when, claimants, article):
        return claimed_supply(book, when, claimants, article)

    book = EventBook({})
    white_house = supply(date(2024, 1, 4), ("united_states",), "a1")
    budanov = supply(date(2024, 1, 21), ("ukraine",), "a2")
    assert (white_house.kind, budanov.kind) == ("new", "new")
    assert budanov.event_id != white_house.event_id
    # The same claimant, a report naming none, or a report within days: the same assessment.
    assert supply(date(2024, 1, 30), ("ukraine", "open_sources"), "a3").event_id == (
        budanov.event_id
    )
    assert supply(date(2024, 2, 2), (), "a4").kind == "corroborated"
    assert supply(date(2024, 1, 6), ("open_sources",), "a5").event_id == white_house.event_id


def test_a_claimed_assessment_weeks_from_an_event_nobody_claimed_is_another_supply():
    def supply(when, claimants, article):
        return claimed_supply(book, when, claimants, article)

    book = EventBook({})
    unattributed = supply(date(2024, 3, 1), (), "a1")
    within_days = supply(date(2024, 3, 10), ("ukraine",), "a2")
    weeks_later = supply(date(2024, 3, 20), ("united_states",), "a3")
    assert within_days.kind == "corroborated" and within_days.event_id == unattributed.event_id
    assert weeks_later.kind == "new" and weeks_later.event_id != unattributed.event_id
    # A restatement is no new assessment, whoever said it first: it joins the event it
    # restates (a month-precise date weeks from the event is no distance within its month).
    book = EventBook({})
    wagner = supply(date(2022, 12, 23), (), "b1")
    restated = frame("supply_arms", "supply", when=date(2022, 12, 1), basis="background",
                     claimants=("united_states",), objects=("artillery_shells",))  # fmt: skip
    restated["date_precision"] = "month"
    later = decide(book, restated, "b2", "s-b2", datetime(2023, 1, 21, tzinfo=UTC).timestamp())
    assert later.event_id == wagner.event_id


def test_another_figure_of_the_same_measure_days_later_is_another_assessment():
    def shells(day, count, article, unit="shells"):
        f = frame("supply_arms", "supply", when=day, objects=("artillery_shells",),
                  quantities=((unit, count),))  # fmt: skip
        ts = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        return decide(book, f, article, f"s-{article}", ts)

    book = EventBook({})
    million = shells(date(2024, 1, 21), 1_000_000, "a1")
    half = shells(date(2024, 2, 23), 1_500_000, "a2")
    assert (million.kind, half.kind) == ("new", "new") and half.event_id != million.event_id
    # the same figure, a figure within days, or one of another measure: the same assessment
    assert shells(date(2024, 2, 26), 1_480_000, "a3").event_id == half.event_id
    assert shells(date(2024, 2, 24), 2_000_000, "a4").event_id == half.event_id
    assert shells(date(2024, 2, 28), 6_700, "a5", "containers").event_id == half.event_id


def test_claimants_do_not_tell_deployments_apart():
    book = EventBook({})
    first = decide(book, frame(claimants=("rok_intelligence",)), "a1", "yonhap", T0)
    again = decide(book, frame(when=date(2024, 10, 28), claimants=("united_states",)),
                   "a2", "ap", T0 + 10 * DAY)  # fmt: skip
    assert again.kind == "corroborated" and again.event_id == first.event_id


def test_an_event_read_back_from_its_alert_keeps_its_claimants():
    alert = {
        "event_id": "ev1", "action": "supply_arms", "category": "military", "actors": [],
        "detected_at": "2024-01-04T00:00:00+00:00", "article_id": "a1",
        "event_date": "2024-01-04", "objects": ["artillery_shells"],
        "claimants": ["united_states"],
    }  # fmt: skip
    book = EventBook({})
    assert book.adopt(record_from_alerts([alert]).items()) == 1
    budanov = frame("supply_arms", "supply", when=date(2024, 1, 21), claimants=("ukraine",),
                    objects=("artillery_shells",))  # fmt: skip
    later = datetime(2024, 1, 21, tzinfo=UTC).timestamp()
    assert decide(book, budanov, "a2", "s", later).kind == "new"


def test_a_traced_book_decides_as_an_untraced_one_and_says_why():
    visit = dict(action="summit", family="meeting", categories=("diplomatic",))
    frames = [frame(**visit, russia=("lavrov",)),
              frame(**visit, russia=("shoigu",), when=date(2024, 10, 20)),
              frame(**visit, russia=("lavrov",), when=date(2024, 10, 19))]  # fmt: skip
    plain, traced = EventBook({}), EventBook({})
    traced.trace = []
    for n, f in enumerate(frames):
        a = decide(plain, f, f"a{n}", f"s{n}", T0 + n * DAY)
        b = decide(traced, f, f"a{n}", f"s{n}", T0 + n * DAY)
        assert (a.event_id, a.kind) == (b.event_id, b.kind)
    assert len(traced.trace) == 3 and plain.trace is None
    shoigu, lavrov_again = traced.trace[1], traced.trace[2]
    assert [why for _, _, why in shoigu["candidates"]] == ["other people where who matters"]
    assert shoigu["path"][-1].startswith("starts an event")
    assert any(score is not None for _, score, _ in lavrov_again["candidates"])


def test_a_traced_book_says_which_rule_keeps_a_frame_from_starting_an_event():
    book = EventBook({})
    book.trace = []
    guess = {**frame(), "speculative": True}
    hedged = {**frame(start=20), "hedged": True, "confidence": 0.42}
    thin = frame("technology_other", "technology_other", ("technology",), start=40)
    for n, f in enumerate((guess, hedged, thin)):
        assert decide(book, f, f"a{n}", "s", T0).kind is None
    reasons = [step["path"][-1] for step in book.trace]
    assert reasons[0].endswith("may not start an event: speculation")
    assert reasons[1].endswith("confidence 0.70, its hedge set aside, below 0.75")
    assert reasons[2].endswith("a frame that only joins (family technology_other)")


def test_the_best_fit_ruled_out_leaves_the_next_best_event():
    # Matching reads a candidate's rules only when its score could make it the best so far:
    # the best-scoring event (same people and place) is another munition, so the frame joins
    # the lower-scoring shipment of its own shells.
    book = EventBook({})
    supply = dict(action="supply_arms", family="supply", russia=("shoigu",), dprk=("kpa",))
    first = frame(**supply, objects=("artillery_shells",), when=date(2024, 10, 14))
    shells = decide(book, first, "a1", "s1", T0 - 4 * DAY)
    other = frame(**supply, objects=("ballistic_missiles",), places=("kursk",))
    missiles = decide(book, other, "a2", "s2", T0)
    assert shells.kind == missiles.kind == "new"
    again = frame(**supply, objects=("artillery_shells",), places=("kursk",))
    assert book.match(again, T0, T0 - 365 * DAY) == shells.event_id


def test_matching_chooses_what_scoring_every_candidate_chooses():
    # A traced book scores every candidate in full; the untraced one skips the rules of those
    # that cannot be the best. On a stream of varied frames they decide alike.
    rng = random.Random(7)
    actions = [["deploy_troops", "deployment", ("military",)],
               ["supply_arms", "supply", ("military",)],
               ["summit", "meeting", ("diplomatic",)], ["letter", "message", ("diplomatic",)],
               ["send_workers", "labour", ("labour",)], ["trade", "trade", ("economic",)],
               ["military_other", "military_other", ("military",)]]  # fmt: skip
    people = [("rus",), ("lavrov",), ("shoigu",), ("belousov", "rus")], [("prk",), ("kpa",),
              ("kim_jong_un",), ("choe_son_hui",)]  # fmt: skip
    things = [(), (), ("artillery_shells",), ("ballistic_missiles",), ("oil",), ("drones",)]
    places = [(), (), ("kursk",), ("vladivostok",), ("rason",)]
    plain, traced = EventBook({}), EventBook({})
    traced.trace = []
    kinds = set()
    for n in range(400):
        action, family, categories = rng.choice(actions)
        when = date(2024, 10, 1) + timedelta(days=rng.randrange(40))
        sender = rng.choice(["russia", "dprk"]) if family == "message" else None
        basis = rng.choice(["report", "report", "background"])
        f = frame(action, family, categories, when=when, russia=rng.choice(people[0]),
                  dprk=rng.choice(people[1]), objects=rng.choice(things),
                  places=rng.choice(places), basis=basis, sender=sender)  # fmt: skip
        ts = T0 + n * DAY / 10
        a = decide(plain, f, f"a{n}", f"s{n % 7}", ts)
        b = decide(traced, f, f"a{n}", f"s{n % 7}", ts)
        assert (a.event_id, a.kind, a.changes) == (b.event_id, b.kind, b.changes)
        kinds.add(a.kind)
    assert {"new", "corroborated", "updated"} <= kinds


def test_a_background_message_of_no_date_tells_the_visit_its_article_reports():
    # "Volodin met Kim" (reported) ... "Volodin thanked Kim for ..." (background, no date):
    # the thanks are the visit's, not a message of their own.
    book = EventBook({})
    visit = frame("summit", "meeting", categories=("diplomatic",), russia=("volodin",),
                  dprk=("kim_jong_un",))  # fmt: skip
    met = decide(book, visit, "a1", "s", T0)
    thanks = frame("letter", "message", categories=("diplomatic",), when=None,
                   basis="background", russia=("volodin",), dprk=("kim_jong_un",),
                   start=60)  # fmt: skip
    told = book.decide(thanks, article_id="a1", source="s", story_id="st-a1", lang="en", ts=T0,
                       reported=[met.event_id])  # fmt: skip
    assert told.event_id == met.event_id
    # Without the article's report of the visit, the thanks are a message of their own.
    alone = decide(EventBook({}), thanks, "a2", "t", T0)
    assert alone.kind == "new" and alone.record["families"][0] == "message"


def test_a_background_message_tells_its_articles_visit_before_an_older_message():
    # Putin's letter to Kim of last August is known; Shoigu's visit is reported, and "Shoigu
    # handed Kim Putin's letter" (background, no date) is the visit's, not last year's letter.
    book = EventBook({})
    old = frame("letter", "message", categories=("diplomatic",), when=date(2023, 8, 15),
                russia=("putin",), dprk=("kim_jong_un",), sender="russia")  # fmt: skip
    decide(book, old, "a0", "s", T0 - 300 * DAY)
    visit = frame("summit", "meeting", categories=("diplomatic",), when=date(2024, 6, 10),
                  russia=("putin", "shoigu"), dprk=("kim_jong_un",))  # fmt: skip
    met = decide(book, visit, "a1", "s", T0)
    letter = frame("letter", "message", categories=("diplomatic",), when=None,
                   basis="background", russia=("putin", "shoigu"), dprk=("kim_jong_un",),
                   start=60, sender="russia")  # fmt: skip
    told = book.decide(letter, article_id="a1", source="s", story_id="st-a1", lang="en", ts=T0,
                       reported=[met.event_id])  # fmt: skip
    assert told.event_id == met.event_id


def test_a_restatement_of_no_date_goes_to_the_recent_development_of_two_alike():
    # Two letters from Putin to Kim, ten months apart, the older one restated yesterday (so
    # reported last): "Putin's letter to Kim", undated, is the recent one.
    book = EventBook({})
    letter = dict(action="letter", family="message", categories=("diplomatic",),
                  russia=("putin",), dprk=("kim_jong_un",), sender="russia")  # fmt: skip
    old = decide(book, frame(**letter, when=date(2024, 1, 1)), "a0", "s0", T0 - 290 * DAY)
    recent = decide(book, frame(**letter, when=date(2024, 10, 13)), "a1", "s1", T0 - 5 * DAY)
    again = decide(book, frame(**letter, when=date(2024, 1, 1), basis="background"), "a2", "s2",
                   T0 - DAY)  # fmt: skip
    assert again.event_id == old.event_id != recent.event_id
    told = decide(book, frame(**letter, when=None, basis="background"), "a3", "s3", T0)
    assert told.event_id == recent.event_id


def test_a_restated_deployment_in_the_report_of_a_visit_stays_the_deployment():
    # Only a letter or a gift told undated in the report of a visit is handed at it: a
    # deployment the report restates, naming the same leader, is the known deployment.
    book = EventBook({})
    troops = frame(dprk=("kim_jong_un",), places=("kursk",), when=date(2024, 9, 18))
    deployed = decide(book, troops, "a0", "s0", T0 - 30 * DAY)
    visit = frame("summit", "meeting", categories=("diplomatic",), when=date(2024, 10, 18),
                  russia=("lavrov",), dprk=("kim_jong_un",))  # fmt: skip
    met = decide(book, visit, "a1", "s1", T0)
    restated = {**troops, "event_date": None, "date_precision": None, "basis": "background",
                "evidence_span": (60, 70)}  # fmt: skip
    told = book.decide(restated, article_id="a1", source="s1", story_id="st-a1", lang="en",
                       ts=T0, reported=[met.event_id])  # fmt: skip
    assert told.event_id == deployed.event_id != met.event_id


def test_pushilins_telegram_is_not_putins_letter_of_the_same_day():
    book = EventBook({})
    letter = dict(action="letter", family="message", categories=("diplomatic",),
                  dprk=("kim_jong_un",), sender="russia")  # fmt: skip
    putin = decide(book, frame(**letter, russia=("putin",)), "a1", "s1", T0)
    pushilin = decide(book, frame(**letter, russia=("pushilin",)), "a2", "s2", T0 + DAY)
    assert (putin.kind, pushilin.kind) == ("new", "new")
    assert pushilin.event_id != putin.event_id


def test_an_incident_reported_as_news_more_than_a_week_later_is_another_incident():
    # The first North Korean soldier captured (December), then two more (January): captures
    # told as their day's news are of that day; a follow-up days after the first is the same.
    book = EventBook({})
    captured = dict(action="captured", family="captured", places=("kursk",))
    first = decide(book, frame(**captured), "a1", "yonhap", T0)
    follow_up = decide(book, frame(**captured, when=date(2024, 10, 21)), "a2", "bbc", T0 + 3 * DAY)
    later = decide(
        book, frame(**captured, when=date(2024, 11, 2), quantities=(("troops", 2),)), "a3",
        "upi", T0 + 15 * DAY,
    )  # fmt: skip
    assert first.kind == "new" and follow_up.event_id == first.event_id
    assert later.kind == "new" and later.event_id != first.event_id
    # a deployment (no incident) reported as news ten days later is still the deployment
    book = EventBook({})
    deployed = decide(book, frame(), "a4", "yonhap", T0)
    again = decide(book, frame(when=date(2024, 10, 28)), "a5", "tass", T0 + 10 * DAY)
    assert again.event_id == deployed.event_id


def test_a_person_in_common_weighs_more_than_the_two_states_in_common():
    # A restatement naming Shoigu joins his visit, not a later visit of others that names only
    # the two states: every frame names the states, so sharing them tells nothing.
    book = EventBook({})
    meeting = dict(action="summit", family="meeting", categories=("diplomatic",))
    visit = decide(
        book, frame(**meeting, russia=("shoigu",), dprk=("kim_jong_un",)), "a1", "tass", T0
    )
    other = decide(book, frame(**meeting, when=date(2024, 10, 25)), "a2", "kcna", T0 + 7 * DAY)
    assert visit.event_id != other.event_id
    restated = decide(
        book, frame(**meeting, when=None, basis="background", russia=("shoigu",)), "a3", "yonhap",
        T0 + 8 * DAY,
    )  # fmt: skip
    assert restated.event_id == visit.event_id


def test_of_two_candidates_the_nearer_in_time_is_the_likelier():
    # A supply report naming shells, a day after another claimant's supply report that named
    # none: that one, rather than the shell supply near the far end of the window that shares
    # the one object.
    book = EventBook({})
    supply = dict(action="supply_arms", family="supply")
    far = decide(
        book, frame(**supply, objects=("artillery_shells",), when=date(2024, 8, 25),
                    claimants=("usa",)), "a1", "s1", T0 - 54 * DAY,
    )  # fmt: skip
    near = decide(book, frame(**supply, claimants=("ukraine",)), "a2", "s2", T0)
    assert far.event_id != near.event_id
    again = decide(
        book, frame(**supply, objects=("artillery_shells",), when=date(2024, 10, 19)), "a3", "s3",
        T0 + DAY,
    )  # fmt: skip
    assert again.event_id == near.event_id


def test_a_broadcaster_moved_to_a_russian_satellite_is_not_help_with_launching_one():
    # Russian experts helping a launch (May), then the North's state TV moving to a Russian
    # satellite (July): the first objects are of one kind (space) and differ.
    book = EventBook({})
    tech = dict(action="transfer_technology", family="technology", categories=("technology",))
    launch = decide(book, frame(**tech, objects=("satellite",)), "a1", "yonhap", T0)
    tv = decide(
        book,
        frame(**tech, objects=("broadcast_satellite", "satellite"), when=date(2024, 11, 20)),
        "a2", "reuters", T0 + 33 * DAY,
    )  # fmt: skip
    assert launch.kind == "new" and tv.kind == "new" and tv.event_id != launch.event_id
    again = decide(
        book,
        frame(**tech, objects=("satellite",), when=date(2024, 11, 21)),
        "a3",
        "nk",
        T0 + 34 * DAY,
    )
    assert again.event_id == launch.event_id
