"""The event scorer: tracing alerts to labelled events, per language."""

import pytest

from streams.eventeval import (
    explain_replay,
    format_event_report,
    raw_article,
    reported_in,
    score_alerts,
)


def item(id_, lang, events, published="2024-10-18"):
    return {
        "id": id_, "title": f"T {id_}", "body": f"Body {id_}.", "url": f"https://x.example/{id_}",
        "source": "s", "published_at": published, "lang": lang, "events": events,
    }  # fmt: skip


def alert(it, kind, evidence, category="military"):
    return {
        "kind": kind, "article_id": raw_article(it).article_id, "evidence": evidence,
        "category": category, "categories": [category],
    }  # fmt: skip


def test_figures_per_language_follow_the_first_report_and_the_negatives_own_language():
    deploy = {"event": "mil-x", "categories": ["military"], "basis": "report",
              "evidence": ["Troops were sent."]}  # fmt: skip
    first = item("a", "ko", [deploy])
    later = item("b", "en", [deploy], "2024-10-20")
    negative = item("n", "ru", [])
    alerts = [
        alert(first, "new", "Troops were sent."),
        alert(later, "new", "Troops were sent."),  # a second `new` of the event
        alert(negative, "new", "Something else."),
    ]
    report = score_alerts([first, later, negative], alerts)
    ko, ru = report.by_language["ko"], report.by_language["ru"]
    assert (ko.pairs, ko.recalled, ko.events, ko.second_new) == (1, 1, 1, 1)
    assert (ru.negatives, ru.false_new) == (1, 1)
    assert "en" not in report.by_language or report.by_language["en"].pairs == 0
    assert report.second_new == [("mil-x", 2)] and report.false_new_share == 1.0


def test_an_alert_fitting_several_labelled_events_counts_for_none():
    two = [
        {"event": "mil-a", "categories": ["military"], "basis": "report", "evidence": ["A."]},
        {"event": "mil-b", "categories": ["military"], "basis": "report", "evidence": ["B."]},
    ]
    it = item("a", "en", two)
    report = score_alerts([it], [alert(it, "new", "Neither sentence.")])
    assert report.recalled == 0 and report.unmatched_new == [("a", "Neither sentence.")]


# An article that reports one development and recalls another of the same category.
NEWS_AND_RECALLED = [
    {"event": "mil-new", "categories": ["military"], "basis": "report", "evidence": ["A."]},
    {"event": "mil-old", "categories": ["military"], "basis": "background", "evidence": ["B."]},
]


def test_an_alert_on_the_headline_is_about_the_event_the_article_reports():
    it = item("a", "en", NEWS_AND_RECALLED)
    headline = score_alerts([it], [alert(it, "new", "T a")])
    assert headline.recalled == 1 and [m[0] for m in headline.missed] == ["mil-old"]
    body = score_alerts([it], [alert(it, "new", "Another body sentence.")])
    assert body.recalled == 0 and body.unmatched_new == [("a", "Another body sentence.")]


def test_an_alert_fitting_several_labelled_events_is_about_the_one_told_on_its_basis():
    it = item("a", "en", NEWS_AND_RECALLED)
    news = score_alerts([it], [{**alert(it, "new", "Another body sentence."), "basis": "report"}])
    assert news.recalled == 1 and [m[0] for m in news.missed] == ["mil-old"]
    recalled = {**alert(it, "new", "Something recalled."), "basis": "background"}
    assert [m[0] for m in score_alerts([it], [recalled]).missed] == ["mil-new"]
    # Two developments reported on the same basis: still neither.
    two = [{**e, "basis": "report"} for e in NEWS_AND_RECALLED]
    both = item("b", "en", two)
    report = score_alerts([both], [{**alert(both, "new", "Other."), "basis": "report"}])
    assert report.recalled == 0 and report.unmatched_new == [("b", "Other.")]


def test_a_sentence_quoted_by_several_events_is_about_the_one_of_its_category():
    # "Shoigu proposed joint drills during his July visit": the evidence of both the drill
    # proposal (military) and the visit (diplomatic).
    said = "Shoigu proposed joint drills during his July visit."
    two = [
        {"event": "mil-drills", "categories": ["military"], "basis": "report", "evidence": [said]},
        {"event": "dip-visit", "categories": ["diplomatic"], "basis": "report", "evidence": [said]},
    ]  # fmt: skip
    it = item("a", "en", two)
    visit = score_alerts([it], [alert(it, "new", said, category="diplomatic")])
    assert visit.recalled == 1 and [m[0] for m in visit.missed] == ["mil-drills"]
    drills = score_alerts([it], [alert(it, "new", said, category="military")])
    assert drills.recalled == 1 and [m[0] for m in drills.missed] == ["dip-visit"]


def test_an_alert_fitting_several_events_of_its_basis_is_about_the_one_of_its_month():
    # An article recalling two earlier visits of one kind: a frame dated to March is about
    # the March one.
    two = [
        {"event": "dip-visit-2025-03", "categories": ["diplomatic"], "basis": "background",
         "evidence": ["A."]},
        {"event": "dip-visit-2025-06", "categories": ["diplomatic"], "basis": "background",
         "evidence": ["B."]},
    ]  # fmt: skip
    it = item("a", "en", two)
    recalled = {**alert(it, "new", "Another.", "diplomatic"), "basis": "background"}
    march = score_alerts([it], [{**recalled, "event_date": "2025-03-01"}])
    assert [m[0] for m in march.missed] == ["dip-visit-2025-06"]
    undated = score_alerts([it], [recalled])
    assert undated.recalled == 0 and undated.unmatched_new == [("a", "Another.")]


def test_a_report_is_clustered_by_the_frame_on_its_evidence_sentence():
    label = {"event": "mil-builders", "categories": ["military"], "basis": "report",
             "evidence": ["Workers were sent to rebuild Kursk."]}  # fmt: skip
    first, second = item("a", "en", [label]), item("b", "ru", [label], "2025-06-18")

    def enriched(it, frames):
        return {
            "article_id": raw_article(it).article_id, "story_id": f"st-{it['id']}",
            "events": [
                {"event_id": e, "category": c, "categories": [c], "evidence": ev,
                 "basis": "report"}
                for e, c, ev in frames
            ],
        }  # fmt: skip

    records = [
        enriched(first, [("ev-fight", "military", "Troops fought there last winter."),
                         ("ev-build", "labour", "Workers were sent to rebuild Kursk.")]),
        enriched(second, [("ev-build", "labour", "Workers were sent to rebuild Kursk.")]),
    ]  # fmt: skip
    report = score_alerts([first, second], [], records)
    assert (report.clustering.tp, report.clustering.fn) == (1, 0)


def test_left_out_events_count_nowhere_and_tuning_reports_name_them():
    seen = {"event": "mil-seen", "categories": ["military"], "basis": "report",
            "evidence": ["Troops were sent."]}  # fmt: skip
    blind = {"event": "eco-blind", "categories": ["economic"], "basis": "report",
             "evidence": ["A bridge opened."]}  # fmt: skip
    first = item("a", "en", [seen])
    again = item("b", "en", [seen], "2024-10-20")
    other = item("c", "ko", [blind])
    alerts = [
        alert(first, "new", "Troops were sent."),
        alert(again, "new", "Troops were sent."),  # a second `new`, of the left-out event
    ]
    tuning = [item("t", "ru", [seen]), item("u", "ru", [{**blind, "basis": "background"}])]
    left_out = reported_in(tuning, {"mil-seen", "eco-blind"})
    assert left_out == {"mil-seen"}  # a background restatement does not count
    everything = score_alerts([first, again, other], alerts)
    assert (everything.events, everything.pairs, len(everything.second_new)) == (2, 2, 1)
    report = score_alerts([first, again, other], alerts, exclude=left_out)
    assert (report.events, report.pairs, report.recalled) == (1, 1, 0)
    assert report.second_new == [] and report.unmatched_new == []
    assert report.excluded == ["mil-seen"]


def test_each_missed_pair_says_why_whether_an_update_told_of_it_and_reports_without_event():
    def label(event, category, evidence):
        return {"event": event, "categories": [category], "basis": "report",
                "evidence": [evidence]}  # fmt: skip

    troops = label("mil-troops", "military", "Troops were sent.")
    pows = label("mil-pows", "military", "Two soldiers were captured.")
    visit = label("dip-visit", "diplomatic", "The minister visited.")
    museum = label("mil-museum", "military", "A museum was begun.")
    first = item("a", "en", [troops])
    later = item("b", "en", [pows], "2024-11-20")
    other = item("c", "en", [visit])
    restated = item("d", "en", [museum])

    def frame(event_id, category, evidence):
        return {"event_id": event_id, "category": category, "categories": [category],
                "evidence": evidence, "basis": "report"}  # fmt: skip

    def enriched(it, frames):
        return {"article_id": raw_article(it).article_id, "story_id": f"st-{it['id']}",
                "events": frames}  # fmt: skip

    alerts = [
        alert(first, "new", "Troops were sent."),
        # The captured soldiers joined the troops' event: told as an update of it.
        {**alert(later, "updated", "Two soldiers were captured."), "changes": ["quantity: 2"]},
    ]
    records = [
        enriched(first, [frame("ev-troops", "military", "Troops were sent.")]),
        enriched(later, [frame("ev-troops", "military", "Two soldiers were captured.")]),
        enriched(other, []),  # no frame
        enriched(restated, [frame(None, "military", "A museum was begun.")]),  # no event
    ]
    report = score_alerts([first, later, other, restated], alerts, records)
    assert report.miss_causes == {
        ("mil-pows", "military"): "joined",
        ("dip-visit", "diplomatic"): "no frame",
        ("mil-museum", "military"): "no event",
    }
    assert report.told_as_update == {("mil-pows", "military")}
    text = format_event_report(report)
    assert "MISSED mil-pows [military] (joined; told as `updated`)" in text
    assert "| — missed pairs: joined an event already known | 1 | |" in text
    # The reports of "c" (no frame) and "d" (a frame without an event) join no clustering pair.
    assert report.reports_by_basis == {"report": 4}
    assert report.unfound_by_basis == {"report": 2}
    assert "given no event: told as news / restated as background | 0.500 (2/4) / - |" in text


def test_the_replay_explains_each_frame_of_the_items_asked_for():
    def visit(id_, text, published, event):
        labels = [{"event": event, "categories": ["diplomatic"], "basis": "report",
                   "evidence": []}]  # fmt: skip
        return {**item(id_, "en", labels, published), "title": text, "body": text}

    talks = visit("c", "Sergey Lavrov held talks with North Korea's Choe Son Hui in Pyongyang.",
                  "2024-10-19", "dip-lavrov")  # fmt: skip
    again = visit("d", "Lavrov met North Korea's Choe Son Hui again in Pyongyang.",
                  "2024-10-20", "dip-lavrov")  # fmt: skip
    other = visit("b", "Sergei Shoigu arrived in Pyongyang and met North Korea's Kim Jong Un.",
                  "2024-10-20", "dip-shoigu")  # fmt: skip
    text = explain_replay([talks, again, other], ["d", "b"])
    first, second = text.split("== b ")
    assert first.startswith("== d 2024-10-20 en") and "== c" not in text
    # Lavrov's second report: compared with his visit (named by its first report), joined.
    assert "(c, dip-lavrov; summit 2024-10-19): score" in first
    assert "alert: corroborated" in first
    # Shoigu's arrival: Lavrov's visit ruled out by who, a new event.
    assert "(c, dip-lavrov; summit 2024-10-19): ruled out: other people where who matters" in second
    assert "starts an event" in second and "alert: new" in second
    with pytest.raises(ValueError, match="not in the replayed items: zz"):
        explain_replay([talks], ["zz"])


def test_negatives_joined_to_a_known_event_are_counted_apart_from_false_alarms():
    deploy = {"event": "mil-x", "categories": ["military"], "basis": "report",
              "evidence": ["Troops were sent."]}  # fmt: skip
    news = item("a", "en", [deploy])
    joined = item("n", "ru", [])
    alarm = item("m", "ko", [])
    alerts = [
        alert(news, "new", "Troops were sent."),
        alert(joined, "corroborated", "Troops, it is said, were sent."),
        alert(alarm, "new", "Something else."),
    ]
    report = score_alerts([news, joined, alarm], alerts)
    assert report.joined_negatives == {"n"}
    assert [i for i, _ in report.false_new] == ["m"]
    assert (
        "| — negatives joined to a known event (`corroborated` or `updated`) | 0.500 (1/2) |"
        in (format_event_report(report))
    )
