import pytest

from streams.phrases import PhraseMatcher


def spans(matcher: PhraseMatcher, text: str) -> list[tuple[str, tuple]]:
    return [(text[m.start : m.end], m.payloads) for m in matcher.find(text)]


def test_words_join_by_space_hyphen_or_apostrophe_and_case_is_ignored():
    m = PhraseMatcher([("Kim Jong Un", "kju"), ("Workers' Party of Korea", "wpk")])
    text = "KIM JONG-UN of the Workers’ Party of Korea; Kim, Jong Un"
    assert spans(m, text) == [("KIM JONG-UN", ("kju",)), ("Workers’ Party of Korea", ("wpk",))]


def test_words_join_by_an_em_dash_and_the_korean_interpuncts():
    m = PhraseMatcher([("Хасан Раджин", "khasan_rajin"), ("나진 하산", "rajin_khasan")])
    text = "проект Хасан — Раджин; 나진‧하산, 나진∙하산 프로젝트"
    assert [found for found, _ in spans(m, text)] == ["Хасан — Раджин", "나진‧하산", "나진∙하산"]


def test_capitals_only_phrases_match_only_in_capitals():
    m = PhraseMatcher([("FSB", "fsb"), ("ZINC", "lazarus")])
    assert spans(m, "The FSB, the fsb and zinc ore") == [("FSB", ("fsb",))]


def test_stems_take_up_to_six_more_letters_then_the_word_ends():
    m = PhraseMatcher([("Путин*", "putin"), ("мост*", "bridge")])
    assert spans(m, "Путиным и Путина") == [("Путиным", ("putin",)), ("Путина", ("putin",))]
    assert spans(m, "мостостроительный") == []


def test_hangul_last_word_takes_particles_and_the_most_specific_phrase_wins():
    m = PhraseMatcher([("북한", "prk"), ("북한군", "kpa")])
    assert spans(m, "북한군이 북한의 남북한") == [("북한군이", ("kpa",)), ("북한의", ("prk",))]


def test_longest_match_wins_and_identical_phrases_report_every_payload():
    m = PhraseMatcher([("arms trade", "military"), ("trade", "economic"), ("trade", "other")])
    assert spans(m, "arms trade and trade") == [
        ("arms trade", ("military",)),
        ("trade", ("economic", "other")),
    ]


def test_a_phrase_without_words_is_refused():
    with pytest.raises(ValueError, match="no words"):
        PhraseMatcher([("--", "x")])
