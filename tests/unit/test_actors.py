from datetime import date

import pytest

from streams.actors import Actor, ActorMatcher, default_matcher
from streams.catalogue import SeedDataError


def ids(text: str) -> list[str]:
    return [m.actor_id for m in default_matcher().find(text)]


def test_english_names_and_transliteration_variants():
    assert ids("Kim Jong-un met Vladimir Putin in Pyongyang.") == [
        "kim_jong_un",
        "putin",
        "pyongyang",
    ]
    assert ids("Kim Jong Un") == ["kim_jong_un"]


def test_bare_kim_or_korea_is_no_actor():
    assert ids("Kim said Korea would respond.") == []
    assert ids("South Korea and North Korea") == ["kor", "prk"]


def test_russian_inflections_via_wildcards():
    assert ids("Путина и Ким Чен Ына встретились в Пхеньяне, КНДР и России") == [
        "putin",
        "kim_jong_un",
        "pyongyang",
        "prk",
        "rus",
    ]
    assert ids("северокорейские военные") == ["prk"]


@pytest.mark.parametrize(
    "text",
    [
        "Корейская Народно-Демократическая Республика",
        "посольство Корейской Народно-Демократической Республики",
        "поезд в Корейскую Народно-Демократическую Республику",
        "отношения с Корейской Народно-Демократической Республикой",
        "посол в Корейской Народно-Демократической Республике",
        # written as three words, as some outlets do
        "поезд из Владивостока в Корейскую Народную Демократическую Республику",
        "в Корейской народной демократической республике",
    ],
)
def test_the_dprks_full_russian_name_in_every_case(text):
    assert "prk" in ids(text)


@pytest.mark.parametrize(
    "text",
    [
        "북한 노동당 기관지 노동신문은 김 위원장이 쇼이구 서기를 접견했다고 보도했다.",
        "조선노동당 기관지인 노동신문이 22일 보도했다.",
        "조선로동당 기관지 로동신문은 보도했다.",
        "북한 노동당 중앙위원회 기관지 노동신문은 보도했다.",
    ],
)
def test_the_partys_paper_reporting_is_the_paper_not_the_party(text):
    # the party acting would be a field's actor (another development than a minister's visit)
    assert "wpk" not in ids(text) and "rodong_sinmun" in ids(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("코즐로프 장관은 회의에서 말했다", ["kozlov"]),
        ("Минприроды возглавляет министр Козлов.", ["kozlov"]),
        ("Minister Kozlov said the commission would meet.", ["kozlov"]),
        # the surname alone is a common one: no one
        ("Козлов сказал, что комиссия соберётся.", []),
    ],
)
def test_a_common_surname_names_its_official_only_after_his_title(text, expected):
    # (and not another surname of the stem: Козловский)
    assert "kozlov" not in ids("министр Козловский заявил")
    assert ids(text) == expected


def test_chairman_kim_in_korean_is_kim_jong_un_since_his_chairmanship():
    text = "김 위원장은 푸틴 대통령과 회담했다. 김 총비서도 참석했다."
    matcher = default_matcher()
    spans = matcher.spans(text)
    assert [a for a, _, _ in matcher.on(spans, date(2025, 3, 1), text)] == [
        "kim_jong_un", "putin", "kim_jong_un"
    ]  # fmt: skip
    # In 2001 "김 위원장" was Kim Jong Il; between his death and Kim Jong Un's chairmanship,
    # the office stays the office, the DPRK's leader.
    # (Korean only: "Vice Chairman Kim Yong Chol" is no one of the catalogue.)
    assert ids("Vice Chairman Kim Yong Chol met Lavrov") == ["lavrov"]
    old = [a for a, _, _ in matcher.on(spans, date(2001, 8, 4), text)]
    assert old == ["kim_jong_il", "putin", "kim_jong_il"]
    between = [a for a, _, _ in matcher.on(spans, date(2012, 2, 1), text)]
    assert between[0] == "dprk_chairman_kim" and matcher.side(between[0]) == "dprk"


def test_kim_jong_il_is_the_norths_leader_of_the_earlier_summits():
    assert ids("Putin met Kim Jong-il in Vladivostok; 김정일 위원장, Ким Чен Ира") == [
        "putin", "kim_jong_il", "vladivostok", "kim_jong_il", "kim_jong_il"
    ]  # fmt: skip


def test_korean_names_take_particles():
    assert ids("북한군이 러시아에서 김정은은") == ["kpa", "rus", "kim_jong_un"]


def test_acronyms_are_case_sensitive_but_names_are_not():
    assert ids("The FSB and the GRU") == ["fsb", "gru"]
    assert ids("the fsb said") == []
    assert ids("LAZARUS group and gamaredon") == ["lazarus", "gamaredon"]


def test_hacker_groups_carry_mitre_ids_and_spans_are_exact():
    matcher = default_matcher()
    text = "Researchers tied Diamond Sleet to the attack."
    (mention,) = matcher.find(text)
    assert mention.actor_id == "lazarus"
    assert text[mention.start : mention.end] == "Diamond Sleet"
    assert matcher.actors["lazarus"].mitre == "G0032"
    assert matcher.actors["gamaredon"].mitre == "G0047"


def test_an_alias_claimed_by_two_actors_is_refused():
    a = Actor("a", "A", "state", "russia", "RUS", aliases=("Same",))
    b = Actor("b", "B", "state", "dprk", "PRK", aliases=("Same",))
    with pytest.raises(SeedDataError, match="belongs to both"):
        ActorMatcher([a, b])


def test_a_place_lies_within_a_catalogued_place():
    assert default_matcher().within["alabuga"] == "tatarstan"
    a = Actor("plant", "Plant", "place", "russia", "RUS", aliases=("Plant",), within="nowhere")
    with pytest.raises(SeedDataError, match="no catalogued place"):
        ActorMatcher([a])


def test_every_catalogue_actor_is_well_formed():
    matcher = default_matcher()
    assert len(matcher.actors) >= 30
    for actor in matcher.actors.values():
        assert actor.side in ("russia", "dprk", "other")
        assert len(actor.country) == 3 and actor.country.isupper()
        if actor.type == "hacker_group":
            assert actor.mitre and actor.mitre.startswith("G")


def test_dpr_korea_is_the_dprk_and_the_dpr_is_russias_side():
    korea = ids("Russia and DPR Korea signed a trade accord.")
    assert "prk" in korea and "dpr" not in korea
    assert "dpr" in ids("Pyongyang recognised the DPR.")
    assert default_matcher().actors["dpr"].side == "russia"
    regions = set(ids("Делегация из Ленинградской области и Красноярска"))
    assert regions == {"leningrad_oblast", "krasnoyarsk"}


def test_an_office_stands_for_its_holder_on_the_articles_date():
    matcher = default_matcher()
    minister = "Russian Defence Minister"
    assert [a for a, _, _ in matcher.on(matcher.spans(minister), date(2023, 7, 26))] == ["shoigu"]
    assert [a for a, _, _ in matcher.on(matcher.spans(minister), date(2024, 11, 29))] == [
        "belousov"
    ]
    # Russian and Korean forms; a date nobody in the catalogue held the office keeps the office.
    head = "Путин встретился в Кремле с главой МИД Северной Кореи"
    assert "choe_son_hui" in [a for a, _, _ in matcher.on(matcher.spans(head), date(2024, 11, 4))]
    korean = matcher.on(matcher.spans("러시아 국방장관이 평양에 도착했다"), date(2025, 6, 1))
    assert korean[0][0] == "belousov"
    earlier = matcher.on(matcher.spans("North Korea's foreign minister"), date(2020, 1, 1))
    assert [a for a, _, _ in earlier] == ["dprk_foreign_minister"]
    # The sports minister: Degtyarev from May 2024, the office before (his predecessor is not
    # catalogued).
    sports = "Министры спорта России и КНДР договорились об обменах"
    assert matcher.on(matcher.spans(sports), date(2024, 11, 26))[0][0] == "degtyarev"
    assert matcher.on(matcher.spans(sports), date(2023, 11, 26))[0][0] == "rus_sports_minister"


def test_an_office_after_a_deputys_title_stays_the_office():
    matcher = default_matcher()
    day = date(2025, 11, 20)
    deputy = "Заместитель министра обороны России Виктор Горемыкин прибыл в Пхеньян"
    aide = "помощник министра обороны России"
    minister = "Министр обороны России Андрей Белоусов прибыл в Пхеньян"
    assert matcher.on(matcher.spans(deputy), day, deputy)[0][0] == "rus_defence_minister"
    assert matcher.on(matcher.spans(aide), day, aide)[0][0] == "rus_defence_minister"
    assert matcher.on(matcher.spans(minister), day, minister)[0][0] == "belousov"
    # Without the text, the office is its holder, as before.
    assert matcher.on(matcher.spans(deputy), day)[0][0] == "belousov"


def test_an_offices_holder_must_be_a_catalogued_actor_of_its_side():
    office = Actor("fm", "FM", "official", "dprk", "PRK", aliases=("the FM",),
                   holders=(("lavrov_x", None, None),))  # fmt: skip
    with pytest.raises(SeedDataError):
        ActorMatcher([office])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Губернатор Орловской области встретился с главой провинции Южный Хванхэ",
         ["oryol", "south_hwanghae"]),
        ("오룔주 대표단이 황해남도를 방문했다", ["oryol", "south_hwanghae"]),
        ("A delegation from Sverdlovsk Oblast arrived in Chongjin", ["sverdlovsk", "chongjin"]),
    ],
)  # fmt: skip
def test_russian_regions_and_dprk_provinces_are_each_sides_places(text, expected):
    assert ids(text) == expected
    sides = {default_matcher().actors[a].side for a in expected}
    assert sides == {"russia", "dprk"}


@pytest.mark.parametrize(
    "text",
    [
        # Common words and names that a region's short form would start: no place.
        "Владимир Путин прилетел в Пхеньян",  # Владимир: a name, not the city
        "орёл на гербе",  # an eagle, not Oryol
        "개성 있는 디자인",  # individuality, not Kaesong
        "함흥냉면 한 그릇",  # a noodle dish, not Hamhung
    ],
)
def test_short_forms_that_are_common_words_name_no_region(text):
    found = set(ids(text))
    assert not found & {"vladimir_oblast", "oryol", "kaesong", "hamhung"}, found


def test_the_bridge_over_the_river_russians_call_tyumen_is_the_tumen_bridge():
    # Russian papers also call the Tumen Тюмень, the name of a Siberian region.
    assert ids("Россия строит автомобильный мост через реку Тюмень") == ["rus", "tumen_bridge"]
    assert ids("В Тюмени прошла выставка") == ["tyumen"]


def test_putin_in_the_norths_own_spelling():
    assert ids("블라지미르 뿌찐 로씨야 대통령의 초청에 응해") == ["putin", "rus"]


def test_president_roh_park_or_kim_is_the_one_of_the_articles_date():
    matcher = default_matcher()

    def on(text: str, day: date) -> list[str]:
        return [a for a, _, _ in matcher.on(matcher.spans(text), day)]

    assert on("노 대통령의 방러", date(2004, 1, 10)) == ["roh_moo_hyun"]
    assert on("노 대통령의 방러", date(1990, 12, 10)) == ["roh_tae_woo"]
    assert on("President Park met Putin", date(2013, 11, 13)) == ["park_geun_hye", "putin"]
    assert on("김 대통령이 옐친 대통령과 회담했다", date(1994, 6, 2))[0] == "kim_young_sam"
    assert on("이 대통령은 메드베데프 대통령과", date(2010, 11, 10))[0] == "lee_myung_bak"
    assert on("이 대통령은 푸틴 대통령과 통화했다", date(2025, 8, 1))[0] == "lee_jae_myung"
    assert on("노 대통령", date(2020, 1, 1)) == ["kor_president_roh"]  # nobody of that name


def test_japans_prime_ministers_and_earlier_south_korean_presidents_are_third_parties():
    found = ids("Abe and Putin met; 노무현 대통령 and Park Geun-hye were not there.")
    assert found == ["abe_shinzo", "putin", "roh_moo_hyun", "park_geun_hye"]
    assert [default_matcher().sides[a] for a in found] == ["other", "russia", "other", "other"]


def test_third_states_of_the_other_pairs_are_named_and_us_is_not_the_pronoun():
    found = ids("Trump told us the US and Japan would watch Iran and Belarus.")
    assert found == ["usa", "usa", "jpn", "irn", "blr"]
    assert {default_matcher().sides[a] for a in found} == {"other"}
    assert ids("미국과 일본, 이란") == ["usa", "jpn", "irn"]
    assert ids("США и Япония") == ["usa", "jpn"]


@pytest.mark.parametrize(
    "text",
    [
        "СМИ узнали о работе на Дальнем Востоке северокорейских IT-специалистов.",
        "북한이 러시아 극동에 IT 거점을 두고 있다.",
        "Thousands of North Korean workers are employed in the Russian Far East.",
    ],
)
def test_the_russian_far_east_is_russias_side(text):
    assert "far_east" in ids(text)
    assert default_matcher().actors["far_east"].side == "russia"


def test_seouls_far_eastern_institute_is_not_the_russian_far_east():
    assert "far_east" not in ids("경남대 극동문제연구소는 북한의 동향을 분석했다.")


@pytest.mark.parametrize(
    "text",
    [
        "the Memorial Museum of Combat Feats at Overseas Military Operations",
        "героев-бойцов зарубежной военной операции",
        "해외군사작전에 파견됐던 전투원들",
        "해외특수작전부대에 격려",
    ],
)
def test_the_norths_overseas_military_operations_stand_for_russia(text):
    assert ids(text) == ["rus"], text


def test_the_dpr_head_is_pushilin_and_his_own_sender():
    matcher = default_matcher()
    text = "Глава ДНР направил телеграмму Ким Чен Ыну; 데니스 푸실린 도네츠크 국가수반"
    found = [a for a, _, _ in matcher.on(matcher.spans(text), date(2022, 8, 15), text)]
    assert found == ["pushilin", "kim_jong_un", "pushilin", "pushilin"]
    assert matcher.side("pushilin") == "russia"


def test_the_leader_of_the_dpr_korea_is_no_dpr_head():
    assert ids("the leader of the DPR Korea met Putin") == ["prk", "putin"]
