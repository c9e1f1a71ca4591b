import pytest

from streams.actors import default_matcher
from streams.signals import default_cuebook, detect_signals, signal_key
from streams.text import normalise_text


def by_category(text: str) -> dict:
    return {s.category: s for s in detect_signals(normalise_text(text))}


def test_seed_article_has_its_four_signals_each_with_its_own_sentence(seed_text):
    signals = by_category(seed_text)
    assert set(signals) == {"military", "cyber", "labour", "diplomatic"}
    assert "Kim Jong Un sent a letter to Russian President Vladimir Putin" in (
        signals["diplomatic"].evidence
    )
    assert "Gamaredon" in signals["cyber"].evidence and "Lazarus" in signals["cyber"].evidence
    assert "12,000 North Korean workers in Tatarstan" in signals["labour"].evidence
    assert "soldiers who fought alongside Russia" in signals["military"].evidence
    assert len({s.evidence for s in signals.values()}) == 4
    assert {"gamaredon", "lazarus"} <= set(signals["cyber"].actors)
    assert {"kim_jong_un", "putin"} <= set(signals["diplomatic"].actors)
    for signal in signals.values():
        assert signal.russia_actors and signal.dprk_actors
        assert normalise_text(seed_text)[signal.start : signal.end] == signal.evidence


def test_one_sided_sentence_is_not_a_cooperation_signal():
    assert by_category("North Korea fired a ballistic missile into the sea on Monday.") == {}
    assert by_category("Russia launched drones and missiles at Kyiv overnight.") == {}


def test_pair_phrase_supplies_the_other_side():
    text = (
        "Russia and North Korea held talks on Monday. "
        "Officials said the two countries agreed to open a rail link for cargo."
    )
    signals = by_category(text)
    assert signals["economic"].basis == "pair_phrase"
    assert "rail link" in signals["economic"].evidence


def test_previous_sentence_supplies_the_other_side_when_the_sentence_refers_back():
    text = "Kim Jong Un received Sergei Shoigu. He promised to send troops to Kursk."
    military = by_category(text)["military"]
    assert military.basis == "previous_sentence"
    assert military.evidence == "He promised to send troops to Kursk."
    assert "kim_jong_un" in military.dprk_actors
    # Without a word referring back, the sentence before does not count.
    assert "military" not in by_category(
        "Kim Jong Un received Sergei Shoigu. Kursk will get troops next year."
    )


def test_general_words_alone_make_no_signal():
    assert by_category("Russia and North Korea discussed their relations and ties.") == {}


def test_personnel_alone_are_no_workers():
    """A unit's or an embassy's personnel are not labour sent abroad; workers still are."""
    text = "The personnel of the regiment returned to North Korea from Russia's Kursk Region."
    assert "labour" not in by_category(text)
    assert "labour" in by_category("North Korean workers returned to Russia's Kursk Region.")


def test_one_side_acting_against_the_other_is_no_cooperation():
    assert by_category("Russian defence firms were breached by North Korean hackers.") == {}
    assert by_category("North Korea's Kimsuky targeted Russian aerospace companies.") == {}
    # Attacking a third party together is cooperation.
    signals = by_category("North Korean troops attacked Ukrainian positions alongside Russia.")
    assert "military" in signals
    # Korean puts the object before the verb: the target is the actor before the word.
    assert (
        by_category("북한 해커집단이 러시아 미사일 개발업체를 해킹했다고 로이터통신이 보도했다.")
        == {}
    )
    # ... in the attributive and ongoing forms too (해킹한 "that hacked", 해킹하고 "hacking").
    assert (
        by_category("북한 해킹조직 라자루스가 러시아 미사일 개발업체를 해킹한 것으로 드러났다.")
        == {}
    )
    assert by_category("북한 해커들이 러시아 방산업체를 해킹하고 있다.") == {}
    # Phishing, theft and spying name the target too, in each language.
    for text in (
        "Kimsuky sent phishing emails to Russian defence companies, researchers said.",
        "Северокорейские хакеры похитили данные российского разработчика ракет.",
        "북한 해커들이 러시아 방산업체를 표적으로 삼았다.",
    ):
        assert by_category(text) == {}, text
    together = by_category("북한군이 러시아군과 함께 우크라이나군 진지를 공격했다.")
    assert "military" in together


@pytest.mark.parametrize(
    "text",
    [
        # rejections and fakes
        "Северная Корея отвергла обвинения США в поставках артиллерийских снарядов в Россию.",
        "МИД КНДР назвал заявления о поставках боеприпасов России фейками.",
        "The Kremlin rejected Western accusations of North Korea supplying weapons to Russia.",
        # claims dismissed, evidence said to be lacking, reports called conflicting
        "북한은 러시아에 포탄을 수출했다는 보도를 일축했다.",
        "페스코프 대변인은 북한군 파병에 대해 “서로 상충하는 정보가 많다”고 말했다.",
        "북한 국방성은 러시아에 무기를 수출한 적도 없고 계획도 없다고 밝혔다.",
        "Кирби заявил, что у США нет доказательств поставок оружия из КНДР в Россию.",
        "Вашингтон не располагает свидетельствами того, что Россия получила снаряды из КНДР.",
        "Песков заявил, что об отправке войск КНДР в Россию много противоречивой информации.",
        "The Kremlin said there was conflicting information about North Korean troops in Russia.",
        # an offer turned down
        "북한이 러시아 IT 기업에 소프트웨어 공동 개발 등 기술협력을 제안했지만 거절당했다.",
    ],
)
def test_rejections_fakes_dismissals_and_lacking_evidence_are_denials(text):
    signals = by_category(text)
    assert signals and all(s.denied for s in signals.values())


def test_denials_are_kept_and_marked_denied_and_hedges_lower_confidence():
    denied = by_category("Moscow denied that North Korean troops were fighting in Kursk.")
    assert denied["military"].denied
    hedged = by_category("North Korean troops were allegedly fighting in Kursk for Russia.")
    plain = by_category("North Korean troops were fighting in Kursk for Russia.")
    assert hedged["military"].hedged and not hedged["military"].denied
    assert hedged["military"].confidence < plain["military"].confidence


def test_a_match_inside_a_longer_cue_of_another_category_does_not_count():
    signals = by_category("Photos show the Pyongyang-Moscow arms trade at Rajin port.")
    assert "military" in signals and "economic" not in signals


def test_russian_and_korean_sentences_give_signals():
    ru = by_category("Северокорейские военные воюют на стороне России в Курской области.")
    assert "military" in ru
    ko = by_category("북한군이 러시아 쿠르스크에 파병됐다.")
    assert "military" in ko


def test_novelty_key_uses_the_most_specific_actors():
    a = by_category("Kim Jong Un sent a letter to Vladimir Putin.")["diplomatic"]
    b = by_category("North Korean leader Kim Jong Un wrote a letter to Russia's Putin.")[
        "diplomatic"
    ]
    assert signal_key(a) == signal_key(b) == "diplomatic|letter|putin|kim_jong_un"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Korean verbs conjugate: 만났습니다 is a meeting as much as 만났다.
        ("블라디미르 푸틴 러시아 대통령이 27일 최선희 북한 외무상과 만났습니다.", "diplomatic"),
        ("North Korea also dispatched 1,000 sappers to Russia to assist in demining.",
         "military"),
        ("Ранее губернатор сообщил, что в разминировании Курской области были задействованы "
         "бойцы из КНДР.", "military"),
        ("North Korea has deployed the Russian-made Pantsir S-1 air defense system in Pyongyang.",
         "technology"),
        ("Первый прямой авиарейс вылетел из аэропорта Шереметьево в Пхеньян.", "economic"),
        ("North Korea has delivered arms to Russia's Wagner Group, the White House said.",
         "military"),
        ("Kim Jong-un attended a welcome ceremony for a North Korean engineering unit that had "
         "been dispatched to Russia.", "military"),
        # the Korean press's "sent to Ukraine" is sent to Russia's war
        ('국정원 "우크라 파병 북한군, 사망자 최소 100여명·부상 1000명"', "military"),
        ("블라디미르 푸틴 러시아 대통령이 두만강을 가로질러 러시아와 북한을 잇는 "
         "교량을 내년에 개통할 계획이라고 밝혔다.", "economic"),
        # the commission's sub-commissions (forestry) are economic
        ("В Благовещенске открылось заседание межправительственной подкомиссии России и КНДР "
         "по лесной промышленности.", "economic"),
        ("북한과 러시아의 임업분과위원회 회의가 평양에서 열렸다.", "economic"),
        # Korean travel is tourism
        ("올해 블라디보스토크를 거쳐 북한을 여행한 러시아인이 160명을 넘어섰다.", "economic"),
    ],
)  # fmt: skip
def test_cues_for_developments_the_event_frames_know(text, category):
    assert category in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        "Russian Foreign Minister Sergey Lavrov arrived in Pyongyang on Friday.",
        "Сергей Лавров прибыл в Пхеньян из Пекина.",
        "세르게이 라브로프 러시아 외무장관이 평양에 도착했다.",
        # Wonsan by its case forms: the bare 원산 also begins 원산지 ("place of origin").
        "라브로프 외무장관은 지난 11일 원산을 방문했다.",
        "Колокольцев и Пан Ду Соб обсудили сотрудничество РФ и КНДР в правоохранительной сфере.",
        "Top Russian official meets North Korea's Kim and thanks him for support.",
        # a sports exchange protocol, its Korean compound written as one word
        "북한 체육성 대표단이 2024년 조로체육교류의정서 조인식 참가를 위해 러시아로 향했다.",
    ],
)
def test_an_arrival_or_talks_on_cooperation_is_a_visit(text):
    assert "diplomatic" in by_category(text)


def test_a_working_visit_is_a_visit_not_workers():
    found = by_category("Министр иностранных дел России находится с рабочим визитом в КНДР.")
    assert set(found) == {"diplomatic"}
    assert "summit" in found["diplomatic"].cues


def test_the_workers_party_is_a_party_not_workers():
    text = "Kim Su Gil of the Workers' Party and other delegates left Pyongyang for Russia."
    assert "labour" not in by_category(text)


def test_a_sign_of_friendship_is_no_signing():
    found = by_category(
        "Vladimir Putin presented North Korea with 70 animals in a sign of friendship."
    )
    assert "treaty" not in (found["diplomatic"].cues if "diplomatic" in found else [])


@pytest.mark.parametrize(
    "text",
    [
        "Москва и Пекин представили проект резолюции Совета Безопасности ООН, где предложили "
        "отменить некоторые санкции в отношении Северной Кореи.",
        "Россия и Китай внесли в Совет Безопасности ООН проект резолюции, призывающей к "
        "смягчению санкций в отношении Северной Кореи.",
        "Russia and China proposed a UN Security Council resolution to ease sanctions on North "
        "Korea.",
    ],
)
def test_russia_with_china_proposing_to_ease_the_norths_sanctions_lobbies_for_it(text):
    # unlike a joint veto of new sanctions (below), which is no act for the North
    assert "diplomatic" in by_category(text), text


def test_a_korean_name_of_the_pair_names_both_sides():
    # "북·러 정상회담" in an article naming neither state otherwise: both sides, by the pair's name
    found = by_category(
        "김 위원장은 지난해 9월 북·러 정상회담에서 양국 관계를 최우선으로 삼겠다고 강조했다."
    )
    assert "diplomatic" in found and "prk" in found["diplomatic"].dprk_actors
    # "north Russia" (북러시아) names no pair
    assert by_category("한국 대표단이 북러시아 지역을 방문해 회담을 가졌다.") == {}


def test_place_of_origin_is_not_wonsan():
    assert "wonsan" not in {m.actor_id for m in default_matcher().find("러시아산 원산지 표시")}


def test_russia_with_china_at_the_un_is_not_a_bilateral_act():
    for text in (
        "The UN Security Council resolution on North Korea failed after China and Russia "
        "vetoed it.",
        "유엔 안보리의 북한 추가 제재 결의안이 중국과 러시아의 거부권 행사로 부결됐습니다.",
        "Резолюция Совбеза ООН по КНДР не была принята: Россия и Китай наложили вето.",
    ):
        assert by_category(text) == {}, text
    # Russia alone shielding the DPRK at the UN is still a signal (the panel-of-experts veto).
    alone = by_category(
        "Russia vetoed the UN Security Council resolution extending the panel that monitors "
        "sanctions against North Korea."
    )
    assert "diplomatic" in alone
    # "in China and Russia" names places, not a joint stance: no UN, no exclusion.
    workers = by_category("North Korean IT workers in China and Russia earned money for Pyongyang.")
    assert "labour" in workers


@pytest.mark.parametrize(
    "text",
    [
        "Ранее Россия заветировала в СБ ООН проект резолюции о продлении мандата группы "
        "экспертов по КНДР.",
        "Россия заблокировала продление мандата группы экспертов, следящей за санкциями "
        "против КНДР.",
    ],
)
def test_a_veto_told_by_its_verb_or_the_panels_mandate_blocked_shields_the_north(text):
    assert "diplomatic" in by_category(text)


def test_another_extension_blocked_is_no_veto_for_the_north():
    text = "Словакия заблокировала продление санкций ЕС против России и КНДР."
    assert "diplomatic" not in by_category(text)


@pytest.mark.parametrize(
    "text, diplomatic",
    [
        ("В ноябре в Москве побывал специальный посланник Ким Чен Ына.", True),
        ("Лидер КНДР Ким Чен Ын приедет в Россию во второй половине апреля.", True),
        ("Представители КНДР приедут в Москву в мае.", True),
        # a place alone tells no visit: a ferry arriving in the Far East
        ("Паром из КНДР прибыл на Дальний Восток России.", False),
        # tourists, one of them or a resort's guests visiting: tourism, not a visit
        ("В России же побывали 434 северокорейских туриста.", False),
        ("В КНДР побывал российский турист из Хабаровска.", False),
        ("Россияне впервые побывали на северокорейском курорте Вонсан-Кальма.", False),
    ],
)
def test_russian_visits_told_by_побывал_and_приедет_and_tourists_are_no_visit(text, diplomatic):
    assert ("diplomatic" in by_category(text)) is diplomatic


@pytest.mark.parametrize(
    "text, diplomatic",
    [
        (
            "Pyongyang's latest saber-rattling came as its leader Kim Jong-un is on a trip to "
            "Russia this week to meet with President Vladimir Putin.",
            True,
        ),
        ("Putin promised support during Kim Jong Un's trip to Russia in September.", True),
        ("Russia's defence minister Belousov is on a trip to North Korea.", True),
        # a trip only planned, a meeting only expected, a trip called off
        ("Kim Jong Un's planned trip to Russia has been postponed.", False),
        ("Kim Jong Un is expected to meet with Russian President Vladimir Putin this year.", False),
        ("North Korea's Kim Jong Un cancels trip to Russia, Putin's spokesman says.", False),
        ("Kim Jong Un called off his trip to Russia, the Kremlin said.", False),
        (
            "Kim Jong Un has cancelled his planned visit to Moscow for the May 9 celebrations.",
            False,
        ),
        # wanting or hoping to meet is no meeting
        ("Putin wants to meet with Kim Jong Un.", False),
    ],
)
def test_a_trip_to_the_country_is_a_visit_unless_only_planned_expected_or_called_off(
    text, diplomatic
):
    assert ("diplomatic" in by_category(text)) is diplomatic


def test_something_else_called_off_leaves_the_sentence_its_signal():
    text = "North Korea sent troops to Russia after Kyiv called off its offensive."
    assert "military" in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        "Эксперты считают, что Россия могла уже начать передачу КНДР своих военных технологий "
        "в обмен на поставки оружия.",
        "Experts say Russia may have begun transferring satellite technology to North Korea.",
    ],
)
def test_what_russia_could_already_or_may_have_begun_is_an_experts_guess(text):
    assert "technology" not in by_category(text)


def test_a_purpose_clause_with_могли_начать_keeps_its_signal():
    text = (
        "Россия и КНДР подписали соглашение, чтобы российские туристы могли начать ездить в Вонсан."
    )
    assert "diplomatic" in by_category(text)


@pytest.mark.parametrize(
    "text, diplomatic",
    [
        ("모스크바 러시아 장식미술관에서 ‘조선민주주의인민공화국 미술전’이 열렸다.", True),
        # an opening ceremony alone is no exchange: the Games' guests
        ("파리 올림픽 개막식에서 북한 선수단은 입장했지만 러시아 선수단은 참가하지 못했다.", False),
    ],
)
def test_an_art_exhibition_in_korean_is_an_exchange_an_opening_ceremony_alone_none(
    text, diplomatic
):
    assert ("diplomatic" in by_category(text)) is diplomatic


def test_enforcing_un_sanctions_is_not_cooperation():
    text = (
        "Президент России Владимир Путин подписал указ о мерах по выполнению резолюции СБ ООН "
        "в отношении КНДР."
    )
    assert by_category(text) == {}


def test_rumours_unanswered_questions_and_appeals_not_to_supply_are_denied():
    for text in (
        "러시아 일각에서는 10만 북한군 파병설이 제기됐습니다.",
        "크렘린궁과 러시아 외무부는 북한군 파병과 관련한 성명을 발표하지 않았다.",
        "러시아 외무부 대변인은 북한군 파병 보도에 대해 “허위 정보”라고 주장했다.",
        "США призывают КНДР не предоставлять и не продавать оружие России.",
        # trade said to have stopped altogether
        "Товарооборот между Россией и Северной Кореей через таможни Дальнего Востока "
        "полностью прекратился.",
    ):
        signals = by_category(text)
        assert all(s.denied for s in signals.values()), text


def test_phone_calls_and_congratulations_between_the_sides_are_diplomatic():
    for text in (
        "Putin and Kim Jong Un held a phone call on Tuesday, the Kremlin said.",
        "Накануне состоялся телефонный разговор Путина с Ким Чен Ыном.",
        "김정은 국무위원장과 푸틴 대통령이 전화 통화를 했다.",
        "Putin sends Kim Jong Un congratulations on North Korea's founding day.",
    ):
        assert "diplomatic" in by_category(text), text


def test_others_discussing_the_norths_situation_is_no_signal():
    text = "라브로프 러시아 외무장관은 한국 외교장관과 회담을 갖고 북한 상황에 대해 논의했다."
    assert by_category(text) == {}


def test_what_may_be_used_is_doubted_or_sought_and_korean_ifs_are_no_signal():
    for text in (
        "The republics of Donetsk and Luhansk may use the assistance of North Korean workers "
        "from Russia.",
        "Many experts doubt that North Korea will send workers to Russia while the war continues.",
        "North Korea has signaled its interest in sending construction workers to Russia.",
        "북한은 러시아로부터 첨단 군사 기술을 제공받으려 한다.",
        "마주앉는 김정은·푸틴, 핵·미사일 기술이전까지 이뤄지나",
        "북한이 러시아로부터 위성 기술을 이전 받는다면 위협이 가중될 것이다.",
        # set to share, suspected, interested, a possibility opening, a plan considered
        "Russia is set to share space technology with North Korea, Blinken said.",
        "This cooperation has raised suspicions of North Korea providing military support to "
        "Russia.",
        "Пхеньян заинтересован в том, чтобы Россия официально разрешила использовать "
        "северокорейскую рабочую силу.",
        "Для России открывается возможность реанимировать железную дорогу в КНДР.",
        "북한이 러시아 드론 공장에 노동자를 파견하는 계획이 검토되고 있다.",
    ):
        assert by_category(text) == {}, text


def test_workers_who_fled_are_no_dispatch_and_no_dates_foreseen_deny_a_visit():
    for text in (
        "러시아에서 일하던 북한 노동자 9명이 지난해 말 탈출해 국내에 입국했다.",
        "Nine North Korean workers in Russia defected to the South last year.",
    ):
        assert by_category(text) == {}, text
    found = by_category("В Кремле не стали прогнозировать сроки визита Ким Чен Ына в Россию.")
    assert found and all(s.denied for s in found.values())


def test_no_plans_deny_and_a_standing_invitation_is_no_visit():
    found = by_category("러시아는 군사기술을 당장 북한에 제공할 계획이 없었을 것으로 분석된다.")
    assert found and all(s.denied for s in found.values())
    text = "У Ким Чен Ына есть действующее приглашение посетить Россию с визитом."
    assert by_category(text) == {}


def test_russia_applying_or_imposing_the_un_sanctions_is_no_signal():
    for text in (
        # a Council statement on the North's tests blocked (the guideline's negatives)
        "Россия заблокировала резолюцию ООН по северокорейским ракетам.",
        "Vladimir Putin signed the decree endorsing the sanctions passed by the UN Security "
        "Council against North Korea.",
        "Russia imposed sanctions on North Korea that affect scientific and technical "
        "cooperation, banking and trade.",
        # purchases given up under them
        "Помимо этого, Россия откажется от закупок в КНДР угля, железа, золота и других "
        "ископаемых.",
    ):
        assert by_category(text) == {}, text


def test_soviet_history_named_so_is_no_cooperation():
    text = (
        "К советской истории это имеет самое непосредственное отношение: на стороне "
        "северокорейской армии воевали советские летчики, а Россия помогала КНДР."
    )
    assert by_category(text) == {}


def test_breaching_is_a_hostile_word():
    text = "North Korea's Kimsuky group could be breaching Russian defense firms, Kommersant said."
    assert by_category(text) == {}


def test_russia_with_south_korea_talking_about_the_north_is_another_pairs_act():
    for text in (
        "Лидеры России и Южной Кореи обсудили переговоры с КНДР.",
        "양측은 최근 북한의 탄도미사일 발사를 포함한 한반도 정세에 대해 의견을 교환하고 한러 간 "
        "협력 방안을 논의했다.",
        "The leaders of Russia and South Korea discussed talks with North Korea at the summit.",
        "Andrei Rudenko's visit to South Korea comes as Russia's military cooperation with "
        "North Korea grows.",
    ):
        assert by_category(text) == {}, text


@pytest.mark.parametrize(
    "text",
    [
        # Russia and South Korea (or talks with Seoul) in other cases than the nominative
        "Между Россией и Южной Кореей прошли переговоры о военном сотрудничестве с КНДР.",
        "Переговорами с Сеулом Москва ответила на вопросы о поставках оружия из КНДР в Россию.",
        # China and Russia at the UN, in the instrumental
        "Россией и Китаем в Совете Безопасности ООН заблокирован доклад о поставках оружия из "
        "КНДР в Россию.",
        # workers leaving Russia under the resolutions, whatever the verb's form
        "Рабочие из КНДР покидают Россию по резолюции ООН.",
    ],
)
def test_russian_pairs_and_enforcement_in_any_case_give_no_signal(text):
    assert by_category(text) == {}, text


@pytest.mark.parametrize(
    "text",
    [
        "Армией КНДР командуют российские офицеры в Курской области.",
        "Граждане КНДР, участвующие в боях на стороне России, получили награды.",
        # the dative: a monument "to the servicemen" from the North
        "В Курской области решили возвести памятник военным из Северной Кореи.",
    ],
)
def test_russian_military_cues_in_any_case(text):
    assert "military" in by_category(text), text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Korean compounds written as one word, the cue their last part
        ("러시아가 우크라이나를 향해 발사한 북한 탄도미사일의 정확도가 크게 향상됐다.", "military"),
        ("북한은 러시아에 건설노동자를 파견했다.", "labour"),
        ("러시아는 북한의 군사정찰위성 개발을 돕고 있다.", "technology"),
    ],
)
def test_korean_compounds_ending_in_a_cue_are_that_cue(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "During the attack on Kharkiv, Russia used two ballistic missiles made in North Korea.",
        "Во время утренней атаки на Харьков Россия использовала две баллистические ракеты, "
        "произведенные в Северной Корее.",
    ],
)
def test_an_attack_on_a_ukrainian_city_is_no_hostile_act_between_the_two(text):
    assert "military" in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "북한이 러시아에 공격용 드론을 제공했다.",
        "러시아가 북한의 공격용 드론 생산을 돕고 있다.",
        "Россия помогает КНДР производить ударные дроны.",
        "Russia is helping North Korea build kamikaze drones.",
    ],
)
def test_attack_drones_are_weapons_not_an_attack(text):
    # 공격용 ("for attack") names a weapon, as "attack drones" does: not one side attacking
    # the other; and strike drones weigh as munitions do.
    assert "military" in by_category(text), text


def test_an_attack_by_one_side_on_the_other_stays_hostile_in_korean():
    assert "cyber" in by_category("북한 해킹조직이 러시아 방산업체의 서버를 이용했다.")
    assert by_category("북한 해킹조직이 러시아 방산업체를 공격했다.") == {}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the loot laundered through Russia
        ("북한은 불법 자금 세탁의 거점으로 러시아 거래소를 적극적으로 활용했다.", "cyber"),
        ("Vitaliy Andreyev, a Russian national, assisted North Korea in laundering stolen "
         "cryptocurrency.", "cyber"),
        # IT workers, a defence treaty, an arrival, help in the war
        ("러시아에 체류하는 북한 정보기술자가 신분을 속이고 일거리를 따냈다.", "cyber"),
        ("북한은 지난해 6월 러시아와 방위조약을 체결했다.", "diplomatic"),
        ("Глава Минприроды РФ Александр Козлов прибыл в КНДР.", "diplomatic"),
        ("Запускать спутник КНДР помогала Россия в ответ на помощь в войне с Украиной.",
         "military"),
        # an internet link through a Russian carrier is cyber (the guideline)
        ("북한이 러시아 통신기업 트랜스 텔레콤을 통해 인터넷 망을 제공받고 있다.", "cyber"),
        ("Russia's TransTeleCom opened an internet link for North Korea.", "cyber"),
    ],
)  # fmt: skip
def test_laundering_it_workers_treaties_arrivals_and_war_help(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        # even if he visits: a hypothesis
        "푸틴 러시아 대통령이 북한을 방문하더라도 러시아가 북한에 최첨단 군사기술을 모두 "
        "넘겨주지는 않을 것이다.",
        # vetoes defended at the General Assembly; the leaders of another pair
        "Russia and China defended their vetoes at the General Assembly against new sanctions "
        "on North Korea.",
        "The Russian and South Korean leaders agreed that the summit between Trump and North "
        "Korean leader Kim Jong Un would help.",
        # workers sent home under the resolutions; what a report says could happen
        "러시아 정부가 유엔 안보리 대북 제재 결의안에 따라 2019년까지 모든 북한 노동자를 "
        "돌려보낼 예정이다.",
        "북한이 향후 러시아에 탄도미사일을 제공하는 대가로 잠수함 기술을 전수받을 수 있다는 "
        "보고서가 발간됐다.",
        # readiness offered, a visit being prepared
        "Россия готова к сотрудничеству в сфере здравоохранения с КНДР.",
        "러시아는 북한과 의료 협력할 준비가 돼 있다고 밝혔다.",
        "Russia is ready to cooperate with North Korea on health cooperation.",
        "Руденко заявил о подготовке к визиту Ким Чен Ына в Россию.",
        "Russia is preparing for a visit by Kim Jong Un to Moscow.",
        # the Security Council's meeting; the US envoy "for the DPRK"
        "Россия проигнорировала встречу Совбеза ООН по КНДР.",
        "Заместитель главы МИД РФ Игорь Моргулов и спецпредставитель США по КНДР Сон Ким в "
        "четверг по телефону обсудили ситуацию на Корейском полуострове и шаги по урегулированию "
        "проблем в субрегионе.",
        # where a test missile fell is no supply
        "러시아는 북한 미사일이 러시아 배타적경제수역에 떨어졌다는 정보를 확인 중이라고 밝혔다.",
    ],
)
def test_hypotheses_vetoes_other_pairs_repatriation_and_forecasts_give_no_signal(text):
    assert by_category(text) == {}, text


def test_rumours_about_a_dispatch_deny_it():
    signals = by_category("В КНДР ответили на слухи об отправке своих военных в Россию.")
    assert signals and all(s.denied for s in signals.values())


def test_a_rocket_engine_on_kerosene_is_technology_not_oil():
    signals = by_category(
        "북한 위성 발사체에 적용된 '액체 산소와 석유 발동기'가 러시아의 엔진 기술이다."
    )
    assert set(signals) == {"technology"}


def test_visa_laundering_is_no_cyber_and_who_acts_is_no_target():
    text = (
        "North Korea and Russia are suspected to be using visa laundering to disguise the "
        "North's labor dispatches."
    )
    assert "cyber" not in by_category(text)
    # 라자루스가 (the subject) stole; the Russian exchange it used is no victim of it
    hacked = by_category("북한 해킹 그룹 라자루스가 탈취한 암호화폐를 러시아인이 세탁했다.")
    assert "cyber" in hacked


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Татарстанские коннозаводчики поставили 21 лошадь для кавалерии КНДР.", "economic"),
        # counts of North Koreans entering Russia, or of their visas: labour news
        ("The number of North Koreans going to Russia has spiked, Russia's FSB records show.",
         "labour"),
        ("러시아가 지난해 북한 국적자에게 발급한 비자가 1만 건에 달했다.", "labour"),
    ],
)  # fmt: skip
def test_horses_entries_and_visas(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "SEOUL (AP) - North Korea says it hasn't exported any weapons supplies to Russia during "
        "the war and has no plans to do so.",
        "드미트리 페스코프 러시아 대통령실 대변인이 북한의 러시아 파병에 대해 “관련 보도들이 "
        "모순적인 것이 많다”며 “사실 여부는 국방부에 확인하라”고 밝혔다.",
        "Журавлев считает, что в создании подлодки КНДР Россия не участвовала.",
    ],
)
def test_contracted_and_russian_denials_deny(text):
    signals = by_category(text)
    assert signals and all(s.denied for s in signals.values()), text


@pytest.mark.parametrize(
    "text",
    [
        # a meeting being prepared, its possible date, a dispatch considered
        "이에 따라 블라디보스토크에 들러 김정은 위원장과 푸틴 러시아 대통령의 회담을 갖는 것이 "
        "추진되고 있는 것으로 알려졌다.",
        "СМИ назвали возможную дату и место переговоров Путина и Ким Чен Ына.",
        "Северная Корея рассматривает возможность отправки до 25 тысяч рабочих в Россию.",
        # what it intends to ask for; what Russia could have done, as analysts have it
        "«NYT»: КНДР намерена запросить помощь России в обмен на отправку войск в Украину",
        "러시아는 9월 정상회담을 계기로 북한과의 군사협력을 강화하며, 북한에 대한 기술 지원을 할 "
        "수 있었을 것으로 분석됩니다.",
        # what experts say it is able to do
        "북한이 러시아가 우크라이나에 발사하는 탄도미사일을 단 몇 달 안에 생산해 제공할 능력이 "
        "있다는 전문가 의견이 나왔다.",
        # workers going home under the resolutions
        "유엔 안보리 결의에 따라 러시아에서 일하는 북한 노동자들이 올해 말까지 모두 귀국할 것이다.",
        "러시아 언론들은 북한 노동자들의 귀국 행렬이 이어지면서 북한으로 가는 열차 승차권이 "
        "올해 말까지 완전 매진됐다고 전했습니다.",
        "Russian media said North Korean workers returning home had sold out the trains to "
        "Pyongyang until the end of the year.",
    ],
)
def test_plans_possibilities_and_workers_going_home_give_no_signal(text):
    assert by_category(text) == {}, text


def test_a_north_korean_missile_fired_by_russia_is_military():
    text = (
        "A North Korean missile fired into eastern Ukraine by Russia contained hundreds of "
        "electronic components."
    )
    assert "military" in by_category(text)


def test_an_exchange_of_views_is_diplomacy_and_fuel_and_food_is_trade():
    views = by_category(
        "Ким Чен Ын сказал, что у него с Путиным прошел содержательный обмен мнениями."
    )
    assert "diplomatic" in views
    paid = by_category(
        "North Korea has supplied troops and weapons to Moscow in exchange for fuel and food."
    )
    assert {"military", "economic"} <= set(paid)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("North Korean leader Kim Jong-un has exchanged a message with Russian President "
         "Vladimir Putin on the anniversary of liberation.", "diplomatic"),
        ("Председатель КНДР Ким Чен Ын поблагодарил Президента России Владимира Путина за "
         "готовность оказать помощь.", "diplomatic"),
        ("In a greeting to Putin on Russia's National Day, Kim Jong Un expressed full support.",
         "diplomatic"),
        ("북한이 러시아의 우크라이나 내 점령지 합병을 지지하고 나섰다.", "diplomatic"),
        ("Министры обороны России и КНДР открыли мемориал в Одинцове.", "diplomatic"),
        ("Russia's agriculture minister discussed deepening ties with North Korea with one of "
         "Pyongyang's top agriculture officials.", "diplomatic"),
        ("Самолет северокорейской авиакомпании Air Koryo прибыл во Владивосток из Пхеньяна, "
         "сообщили в России.", "economic"),
        ("Пиво из КНДР впервые поступило в продажу в России.", "economic"),
    ],
)  # fmt: skip
def test_messages_thanks_annexation_memorials_talks_flights_and_sales(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        # workers leaving the Russian Federation under the resolutions, or staying less long
        "Он уточнил, что в соответствии с резолюцией ООН рабочие из КНДР должны покинуть РФ до "
        "конца года.",
        "В МВД добавили, что срок пребывания в России рабочих из КНДР сокращен до года в "
        "соответствии с санкциями Совбеза ООН.",
        # South Korea's president with a Russian official, on a trilateral project
        "앞서 문재인 대통령은 메드베데프 러시아 총리와의 면담에서 북한의 참여가 가능해질 때 "
        "남북미 3국간 협력을 추진하자고 했다.",
    ],
)
def test_enforcement_in_other_words_and_south_koreas_president_give_no_signal(text):
    assert by_category(text) == {}, text


def test_russian_and_chinese_ships_are_not_china_with_russia():
    text = (
        "Эксперты ООН зафиксировали увеличение поставок в КНДР топлива, в которых задействованы "
        "российские и китайские суда."
    )
    assert "economic" in by_category(text)


def test_russia_voting_for_a_resolution_on_the_north_enforces_sanctions():
    for text in (
        "Российская сторона поддержала все резолюции, которые могут поспособствовать "
        "прекращению ракетно-ядерных программ КНДР.",
        "Russia supported the UN Security Council resolution imposing sanctions on North "
        "Korean missile programmes.",
    ):
        assert by_category(text) == {}, text
    # Russia vetoing one while others voted in favour still shields the North.
    veto = by_category(
        "13 countries voted in favor, and Russia vetoed the Security Council resolution "
        "extending the panel that monitors sanctions on North Korea."
    )
    assert "diplomatic" in veto


def test_a_votes_tally_naming_both_sides_is_no_signal():
    for text in (
        "Резолюцию в Генеральной Ассамблее ООН поддержала 141 страна, 35 государств "
        "воздержались и пять делегаций – России, Беларуси, КНДР, Сирии и Эритреи – "
        "проголосовали против.",
        "Против выступили 7 стран - Россия, Белоруссия, КНДР, Мали, Никарагуа, Сирия и "
        "Эритрея, делегации которых прибыли на заседание.",
    ):
        assert by_category(text) == {}, text
    # One abstention beside Russia's veto of the sanctions panel: still the veto.
    veto = by_category(
        "13 countries voted in favor, China abstained, and Russia vetoed the Security Council "
        "resolution extending the panel that monitors sanctions on North Korea."
    )
    assert "diplomatic" in veto


def test_a_meeting_not_ruled_out_is_speculation():
    text = (
        "Песков не исключает возможность встречи Путина и Ким Чен Ына в ближайшее время, но "
        "переговоров о визите нет."
    )
    assert by_category(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Заседание межправительственной комиссии по торгово-экономическому и "
        "научно-техническому сотрудничеству между Россией и КНДР прошло в Пхеньяне.",
        # the commission's name in Korean, and universities' joint research (diplomatic)
        "러시아와 북한은 모스크바에서 제9차 러북 통상·경제·과학·기술 협력 정부간 위원회를 "
        "개최했다.",
        "러시아와 북한의 주요 대학들은 블라디보스토크에서 공동 연구 추진 방안을 논의했다.",
    ],
)
def test_the_scientific_and_technical_commission_is_no_technology_transfer(text):
    assert "technology" not in by_category(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a cosmodrome as the summit's venue; watching a bridge from satellites
        ("김정은 북한 국무위원장과 블라디미르 푸틴 러시아 대통령이 러시아 우주기지에서 "
         "정상회담을 가졌습니다.", "diplomatic"),
        ("США следят со спутников за строительством моста из России в Северную Корею.",
         "economic"),
        # what satellite analysis showed; the name of Russia's Aerospace Forces
        ("러시아가 북한에 석유 100만 배럴 이상을 공급한 것으로 추정된다고 연구집단이 공개한 위성 "
         "분석결과를 인용해 보도했다.", "economic"),
        ("Ким Чен Ын встретился с Путиным на аэродроме, где ему показали самолеты "
         "Воздушно-космических сил России.", "diplomatic"),
    ],
)  # fmt: skip
def test_space_words_naming_no_space_help_give_no_technology(text, category):
    found = by_category(text)
    assert category in found and "technology" not in found


def test_calling_reports_a_pr_stunt_denies_them():
    signals = detect_signals(
        normalise_text("МИД КНДР назвал «пиар-ходом» сообщения о поставках вооружений России")
    )
    assert all(s.denied for s in signals)


def test_the_norths_provocations_are_diplomacy_about_it_not_with_it():
    for text in (
        "문재인 대통령이 러시아를 방문해 푸틴 대통령과 정상회담을 갖고 북한의 핵미사일 도발 대응 "
        "방안을 논의했습니다.",
        "The Kremlin said the leaders will discuss how to resume the six-party talks on North "
        "Korea's nuclear programme, Russia said.",
        "In their talks in Vladivostok, Putin underlined the importance of dialogue in "
        "resolving North Korean problems.",
    ):
        assert by_category(text) == {}, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Debt settlements and pipelines are economic; students and universities an exchange.
        ("Россия и КНДР подписали соглашение об урегулировании северокорейского долга.",
         "economic"),
        ("러시아가 북한의 대러시아 채무 90%를 탕감했다.", "economic"),
        ("Russia wrote off North Korea's debt, and Kim welcomed the gas pipeline plan.",
         "economic"),
        ("Россия расширила квоты для студентов из Северной Кореи до 170 мест.", "diplomatic"),
        ("러시아 대학들이 북한 유학생을 받아들이고 있다.", "diplomatic"),
        # Guest workers and work visas are labour.
        ("В России трудятся тысячи северокорейских гастарбайтеров.", "labour"),
        ("러시아가 북한 주민 750여명에게 취업 비자를 발급했다.", "labour"),
        # A direct train and the fisheries joint committee (its Korean name one word) are
        # economic.
        ("С 19 июня между Хабаровском и Пхеньяном будет запущен прямой поезд.", "economic"),
        # the railway track rebuilt between them, the Rajin-Khasan project
        ("Россия и КНДР приступили к созданию железнодорожного пути до порта Раджин.",
         "economic"),
        ("북한과 러시아의 나진-하산 프로젝트가 재개됐다.", "economic"),
        # the intergovernmental commission by its Korean short name
        ("북러, 경제공동위 의정서 조인…러시아 대표단 귀국", "economic"),
        ("북한과 러시아는 블라디보스토크에서 제16차 북러어업공동위원회를 열었다.", "economic"),
        ("북한과 러시아는 어업분야 협력문제를 논의했다.", "economic"),
    ],
)  # fmt: skip
def test_russian_and_korean_cues_for_debts_pipelines_students_and_visas(text, category):
    assert category in by_category(text), text


def test_russia_reacting_to_the_norths_launches_is_no_cooperation():
    for text in (
        "В Кремле заявили об обеспокоенности ракетным пуском КНДР.",
        "МИД РФ выразил протест в связи с запуском ракеты Пхеньяном.",
        "연해주 기상당국은 북한의 미사일 발사 뒤 러시아 방사능 수준에 영향이 없다고 밝혔다.",
        "Russia and China have proposed a dual suspension of North Korea's missile tests.",
        # a test launch ("시험발사"), one word in Korean
        "러시아 외무부는 북한이 5일 새벽 단행한 일련의 미사일 시험발사에 대해",
    ):
        assert by_category(text) == {}, text
    # Sanctions imposed over its tests are a clause of many a report of cooperation.
    shipped = (
        "Russia supplies oil to North Korea in violation of UN sanctions imposed over a "
        "nuclear test."
    )
    assert "economic" in by_category(shipped)


def test_fake_news_denies_and_an_attack_on_border_guards_is_hostile():
    denied = by_category('러시아 크렘린궁은 북한군 파병 주장을 "가짜 뉴스"라고 일축했다.')
    assert all(s.denied for s in denied.values())
    attack = "Военные КНДР напали на российских пограничников, сообщили в ФСБ России."
    assert by_category(attack) == {}


def test_claims_called_rumours_and_exports_not_made_deny():
    for text in (
        "Утверждения о поставках в Россию военной помощи из КНДР — это слухи, заявил Лавров.",
        '북한 "러시아에 무기·탄약 수출 안했고, 계획도 없어"',
    ):
        found = by_category(text)
        assert found and all(s.denied for s in found.values()), text


def test_has_never_done_it_in_korean_denies():
    found = by_category('북한 국방성 부총국장 "러시아에 무기, 탄약 수출한 적 없다"')
    assert found and all(s.denied for s in found.values())


def test_the_kremlin_dismissing_reports_denies_them():
    for text in (
        "Kremlin dismisses reports of North Korean soldiers fighting in Ukraine",
        "The Kremlin dismissed claims that North Korea sent troops to Russia.",
    ):
        found = by_category(text)
        assert found and all(s.denied for s in found.values()), text


def test_calling_the_two_an_alliance_is_no_treaty():
    for text in (
        "It is further proof of the criminal nature of the alliance between Russia and "
        "North Korea.",
        "러시아와 북한은 동맹 수준의 관계로 빠르게 밀착하고 있다.",
    ):
        assert "diplomatic" not in by_category(text), text
    assert "diplomatic" in by_category("Russia and North Korea signed a mutual assistance treaty.")


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("North Korea's women's hockey team held joint training with a Russian team in "
         "Krasnoyarsk.", "diplomatic"),
        ("Женская сборная КНДР провела совместные тренировки с российской командой.",
         "diplomatic"),
        ("Первая группа детей из Приморья отправилась в лагерь «Сондовон».", "diplomatic"),
        ("North Korea's Naegohyang filed a trademark application in Russia.", "economic"),
        ("Северокорейская компания подала заявку на регистрацию товарного знака в России.",
         "economic"),
    ],
)  # fmt: skip
def test_sports_exchanges_camps_and_trademarks_are_cooperation(sentence, category):
    assert category in by_category(sentence)


def test_a_friendly_match_alone_is_no_cooperation():
    # The signal corpora label a match between the two sides' teams a negative.
    assert (
        by_category("Футболистки сборных России и КНДР сыграли вничью в товарищеском матче.") == {}
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Российские игроки в настольный теннис в октябре провели тренировочный сбор в КНДР.",
        "В ноябре совместные сборы со спортсменами из КНДР проходят во Владивостоке.",
        "북한과 러시아가 지난달 평양에서 탁구 합동 훈련을 진행했다.",
        "북한 피겨 선수단이 러시아 우수리스크에 도착해 현지 선수들과 합동훈련을 시작했다.",
        "Russia scheduled training camps for the women's hockey teams of Russia and North Korea.",
    ],
)
def test_teams_training_together_in_either_country_are_an_exchange(sentence):
    assert "diplomatic" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        # a team at an open tournament the other side hosts (labelled negative)
        "Сборная КНДР по вольной борьбе прилетела в Красноярск на Кубок Ивана Ярыгина.",
        # joint drills of troops are no sports camp
        "북한과 러시아가 합동 훈련을 진행했다.",
        # customs fees are not a training camp
        "Россия отменила сборы за транзит грузов из КНДР.",
    ],
)
def test_a_tournament_drills_or_fees_are_no_sports_exchange(sentence):
    assert "diplomatic" not in by_category(sentence), sentence


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        # Recognising the "republics" Russia administers is an act of alignment with Russia.
        ("North Korea formally recognized the independence of the Donetsk People's Republic.",
         "diplomatic"),
        ("Накануне Северная Корея признала независимость ДНР и ЛНР.", "diplomatic"),
        ("북한이 도네츠크인민공화국을 독립국으로 인정했다.", "diplomatic"),
        # Aid, in Korean as in English; a region is Russia's side.
        ("러시아가 북한에 밀가루 2만5천 톤을 인도적 지원으로 보냈다.", "economic"),
        ("Russia delivered humanitarian aid to North Korea.", "economic"),
        ("В КНДР из Ленинградской области отправили партию мелкого рогатого скота.", "economic"),
        # A stem takes six more letters at most: the adjective is its own cue.
        ("Туристический поток из России в КНДР вырос втрое.", "economic"),
        ("Турпоток из России в КНДР в 2025 году достигнет 7 тыс. человек.", "economic"),
        # Sister cities and touring troupes are exchanges.
        ("Курская область и город КНДР станут побратимами.", "diplomatic"),
        ("북한 예술단이 러시아 연해주에서 공연했다.", "diplomatic"),
        # Health cooperation, festivals, a university's office abroad are exchanges too.
        ("러시아가 북한 의료진 연수교육을 제공한다.", "diplomatic"),
        ("Россия и КНДР расширяют медицинское сотрудничество.", "diplomatic"),
        ("Российские фигуристы примут участие в фестивале в КНДР.", "diplomatic"),
        ("Kim Il Sung University plans a representative office in Russia's Novosibirsk.",
         "diplomatic"),
        # The North's word for a meeting; goods exhibitions, train routes and builders.
        ("리창대 국가보위상이 러시아에서 열리는 국제상봉에 참가한다.", "diplomatic"),
        ("러시아 블라디보스토크에서 북한 상품전람회가 개최되고 있다.", "economic"),
        ("북한과 러시아가 5년 만에 열차 노선 운영을 재개한다.", "economic"),
        ("North Korea will send builders to Russia, the ambassador said.", "labour"),
        # Korean technology help in its common forms; Russia's internet infrastructure.
        ("북한이 러시아에서 기술 자문을 받은 것으로 보인다.", "technology"),
        ("북한은 러시아와 기술 협력을 해 정찰위성을 다시 발사할 준비를 한다.", "technology"),
        ("러시아가 북한에 드론 기술을 이전했다.", "technology"),
        ("북한 해커들이 러시아 인터넷 인프라를 활용하고 있다.", "cyber"),
        # Russian forms: military-purpose cargo, key components, a rail line, IT companies.
        ("Северная Корея поставляла в Россию грузы военного назначения.", "military"),
        ("Россия предоставила КНДР ключевые компоненты баллистической ракеты.", "technology"),
        ("Грузы из России идут в КНДР по железнодорожной линии Хасан—Раджин.", "economic"),
        ("Минфин США ввел санкции против IT-компаний из РФ, связанных с КНДР.", "cyber"),
        # Drone production help and wheat aid in Russian and Korean; university applicants.
        ("Северная Корея начнет производство беспилотников, разрабатываемых совместно с Россией.",
         "technology"),
        ("Russia has given North Korea military technologies, the adviser said.", "technology"),
        ("러시아가 식량난을 겪는 북한에 3900여t의 밀을 지원했다.", "economic"),
        ("Двадцать абитуриентов из КНДР поступили в вуз во Владивостоке, сообщили в России.",
         "diplomatic"),
        # Frozen assets with the owner named between the words.
        ("Russia has released $9 million in frozen North Korean assets.", "economic"),
        ("Россия позволила разблокировать 9 млн долларов, замороженных в банках, КНДР.",
         "economic"),
    ],
)  # fmt: skip
def test_recognition_aid_regions_and_troupes_are_cooperation(sentence, category):
    assert category in by_category(sentence)


def test_closeness_is_no_wheat():
    # 밀 (wheat) is the start of 밀착 (closeness) and of names: only 밀가루 (flour) is a cue.
    assert "economic" not in by_category("북한과 러시아의 밀착은 러시아의 포탄 부족에서 비롯됐다.")


@pytest.mark.parametrize(
    "text",
    [
        # Satellite photos are a source, not a satellite; specialists trained under a sports
        # agreement are no workers sent; rumours called a smear deny; a missile test watched is
        # a reaction to the North's launches.
        "정부는 인공위성 사진을 분석해 북러가 새 다리의 착공식을 준비하는 동향을 포착했다.",
        "북한과 러시아는 스포츠 분야의 공동 행사, 전문 인력의 훈련 등의 협력을 합의했다.",
        "КНДР назвала слухи о продаже оружия РФ попыткой США запятнать имидж Пхеньяна.",
        "Песков: Россия отслеживает ситуацию вокруг испытания ракеты КНДР",
    ],
)
def test_photos_trained_specialists_rumours_and_tests_are_no_such_signal(text):
    found = by_category(text)
    assert "technology" not in found and "labour" not in found, text
    assert "military" not in found or found["military"].denied, text


@pytest.mark.parametrize(
    "text",
    [
        # Workers sent home under the resolutions are enforcement, not a dispatch.
        "Россия начала высылать северокорейских трудовых мигрантов.",
        "Russia repatriated North Korean workers in line with UN sanctions.",
        # Hackers of one side going into the other's network; a launch watched by the Kremlin.
        "North Korean hackers penetrated the network of a major Russian missile developer.",
        "В Кремле ответили на вопрос о позиции по запуску баллистической ракеты КНДР.",
        # Workers leaving under the resolutions; poachers detained; a backdoor planted.
        "Some 23,000 North Korean workers were sent back home, most of them from Russia.",
        "Все северокорейские рабочие покинут Россию до конца 2019 года.",
        "Russian border guards detained almost 4,000 North Korean poachers last year.",
        "러시아 외교부에 백도어를 심은 북한의 해커들이 발견됐다.",
    ],
)
def test_repatriation_intrusions_and_launches_are_no_cooperation(text):
    assert by_category(text) == {}, text


def test_hackers_named_by_their_organisation_may_still_cooperate():
    # 해킹조직 (a hacking group) starts with 해킹: only "해킹하고", "해킹했" are hostile words.
    text = "북한 해킹조직이 러시아 해커들과 인프라를 공유했다."
    assert "cyber" in by_category(text)


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        # Malware planted, networks entered, information stolen: one side against the other.
        ("North Korean hackers secretly installed malware and accessed computer networks at "
         "NPO Mashinostroyeniya, a major Russian missile design bureau.", None),
        ("Lazarus and ScarCruft have allegedly stolen information from NPO Mashinostroyeniya, "
         "Russia's largest manufacturer of missiles.", None),
        # Rumours of deals called an attempt to smear the North: a denial.
        ("Северокорейские власти заявили, что слухи о таких соглашениях между Пхеньяном и "
         "Москвой являются попыткой США запятнать репутацию КНДР.", True),
        ("КНДР считает заявления о продаже оружия России попыткой США понизить имидж Пхеньяна.",
         True),
        ("The DPRK's position on the 'arms deal' between the DPRK and Russia, which never "
         "happened, remains unchanged.", True),
        ("Russia's purchase of weapons from the DPRK was invented by the media, the envoy said.",
         True),
        ("North Korean hackers break into Russian missile developer NPO Mashinostroyeniya.",
         None),
        # What a coming summit may bring is speculation.
        ("Experts warned the pair might have been looking to do a deal involving Pyongyang "
         "supplying artillery shells to Russia.", None),
    ],
)  # fmt: skip
def test_stolen_data_smears_and_what_a_summit_might_bring_are_no_cooperation(text, denied):
    found = by_category(text)
    if denied:
        assert found and all(s.denied for s in found.values()), text
    else:
        assert found == {}, text


def test_stolen_funds_moved_on_and_a_message_of_sympathy_are_cooperation_words():
    # Loot sent to a Russian exchange is laundering with it, not a theft from it; a message
    # of sympathy (위로 전문) is a letter.
    assert "cyber" in by_category("북한 해킹조직 라자루스, 러시아 거래소로 탈취 자금 이전 중")
    assert "diplomatic" in by_category("김정은, 푸틴에 테러 위로 전문 보내")
    # A theft from a Russian exchange is still hostile.
    assert by_category("North Korean hackers stole funds from a Russian exchange") == {}


def test_crypto_stolen_through_russian_infrastructure_is_cyber_cooperation():
    # In Korean the coin, not the country named before it, is what was taken ...
    text = "북한 해커들이 러시아 인터넷 인프라를 경유해 가상화폐를 탈취했다."
    assert "cyber" in by_category(text)
    # ... while a Russian firm hacked and robbed is still the target.
    assert by_category("북한 해커들이 러시아 기업을 해킹해 기술을 탈취했다.") == {}


@pytest.mark.parametrize(
    "text",
    [
        # What may, might or could happen is speculation, not a report (the guideline).
        "Пхеньян может предложить России боеприпасы и баллистические ракеты.",
        "North Korea could supply Russia with artillery shells, experts said.",
        "북한이 러시아에 무기를 제공할 전망이다.",
        "Встреча Путина с лидером КНДР может состояться уже 13 сентября.",
        # what there "would have been", what one side urgently needs
        "푸틴과 최선희의 대화에선 정찰위성 기술 지원에 대한 의견 교환이 있었을 것이라고 말했다.",
        "북한은 정찰위성 발사에 실패해 러시아로부터의 기술 도입이 시급한 상태다.",
        # a possibility allowed for, speculation named
        "Дмитрий Медведев допустил передачу оружия Северной Корее.",
        "На фоне спекуляций о передаче Москвой Пхеньяну технологий в обмен на боеприпасы.",
    ],
)
def test_what_may_happen_is_speculation_not_a_signal(text):
    assert by_category(text) == {}, text


def test_a_claim_that_it_happened_is_kept_and_hedged():
    found = by_category("North Korea reportedly supplied Russia with artillery shells.")
    assert found["military"].hedged
    # 가능성: a report's assessment as often as a guess, so a hedge in Korean
    found = by_category("보고서는 북한 해킹조직이 러시아 해커들과 협력했을 가능성이 높다고 밝혔다.")
    assert found["cyber"].hedged


@pytest.mark.parametrize(
    "text",
    [
        # the headline is of another pair: "the two countries" are China and the North
        "China-North Korea trade recovers to near pre-pandemic levels\n"
        "Trade between the two countries rose 25.4% year-on-year. Russia also borders the North.",
        "김정은-시진핑 양자회담...6년만에 만났다\n"
        "이번 만남에서는 양국 간 경제 협력 확대가 주요 의제로 다뤄졌다. 러시아도 이를 주시했다.",
        "한-러 외교차관 협의\n양측은 북한과의 교역 확대 문제를 논의했다.",
        # a Japanese prime minister or a South Korean president of before with Russia's leader
        "Abe, Putin reconfirm readiness for peace treaty\n"
        "The two leaders reaffirmed they will conclude a peace treaty and accelerate bilateral "
        "economic cooperation. North Korea's missiles were on the agenda.",
        "노무현 대통령, 푸틴 대통령과 정상회담\n"
        "양국 정상은 철도 연결 사업을 위한 경제 협력을 확대하기로 합의했다. 북한도 이를 환영했다.",
    ],
)
def test_a_headline_of_another_pair_makes_the_pair_phrases_its_own(text):
    assert by_category(text) == {}


def test_the_headline_of_the_pair_keeps_its_pair_phrases():
    text = (
        "Russia and North Korea hold talks\n"
        "Trade between the two countries rose 25% this year, officials in Moscow said."
    )
    assert by_category(text)["economic"].basis == "pair_phrase"


@pytest.mark.parametrize(
    "text",
    [
        "The DPRK government has asked the Russian Federation to supply fighter jets Su-35.",
        "러시아 측은 북한에 김 위원장의 올해 안 방러를 요청했고 성사되길 기대하고 있다.",
        "Россия обратилась с просьбой к КНДР о поставках снарядов.",
        "김정은은 포탄을 제공하는 대가로 러시아에 핵추진 잠수함 기술을 요구할 예정이다.",
    ],
)
def test_a_request_is_not_the_act(text):
    assert by_category(text) == {}


def test_an_act_at_the_others_request_is_the_act():
    text = "По просьбе России КНДР направила в Курскую область военных инженеров."
    assert "military" in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        "North Korean Hackers Compromise Russian Missile Maker",
        "우리 측은 6·12 북미 정상회담과 남북 정상회담 등 진전 상황을 러시아 측에 설명했다.",
    ],
)
def test_a_compromise_and_the_norths_summits_with_others_are_no_cooperation(text):
    assert by_category(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "North Korean Cyber Team ScarCruft Infiltrates Russian Missile Manufacturer",
        "North Korea Backdoors Russian Foreign Affairs Ministry",
        "Северокорейских рабочих изгонят из России",
        "김정은 위원장이 이달 중 러시아를 방문해 정상회담을 할 수도 있다는 관측이 나왔다.",
    ],
)
def test_intrusions_expulsions_and_what_might_happen_are_no_cooperation(text):
    assert by_category(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Will North Korea send troops to Russia?",
        "Северная Корея отправит войска в Россию?",
        "러시아 매체, 북한 우크라이나 파병 보도했다?",
        "Why would North Korea's Kim and Russia's Putin sign a defence treaty?”",
    ],
)
def test_a_question_is_no_report(text):
    # What is asked is not reported: speculation, per the guideline. The statement is.
    assert by_category(text) == {}, text
    assert by_category(text.rstrip("?”") + ".") != {}, text


def test_the_capital_is_not_a_might():
    # 수도 (the capital) before 평양 is no modal "수도 있다"
    assert "diplomatic" in by_category("러시아 대표단이 북한의 수도 평양에 도착해 회담했다.")


@pytest.mark.parametrize(
    "text",
    [
        "Россия передала Северной Корее технологии реакторов для атомных подлодок.",
        "Russia plans to transfer expertise and equipment to North Korea to help produce drones.",
        "러시아가 북한에 핵잠수함 관련 기술을 제공했다.",
        # production mastered, rockets and guidance improved with the other's help
        "Россия помогает КНДР осваивать производство ударных беспилотников.",
        "Russia is helping North Korea to produce long-range strike drones.",
        "북한이 러시아로부터 로켓 기술 등의 지원을 받았다.",
        "Северная Корея при поддержке России улучшает системы наведения своих ракет.",
    ],
)
def test_technology_handed_over_in_verbs_and_short_forms(text):
    assert "technology" in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        # a hostile word's target in a list with a third state
        "In 2022, Kaspersky showed evidence of Andariel deploying Maui ransomware in attacks "
        "against targets in Japan, Russia, Vietnam, and India.",
        # the Korean headline's bare noun
        "북한 연계 해커 조직 라자루스, 러시아 기업들도 해킹",
        # Soviet-era history: a year before 1992 only, the Korean War
        "In July 1961, Moscow and Pyongyang signed the Treaty of Friendship, Cooperation, and "
        "Mutual Assistance.",
        "During the Korean War, Moscow secretly provided war materials, advisors, and troops for "
        "North Korea.",
        # the Korean War's date written with another dot (ㆍ), and its southward invasion
        "북한은 6ㆍ25 전쟁 당시 러시아로부터 무기를 지원받았다.",
        "북한의 6.25 남침은 김일성의 모스크바 방문 때 스탈린과의 대화에서 준비됐다.",
        # talks with the Soviet government's delegation, the year left out
        "건국 직후 북한 정부대표단은 모스크바를 방문하여 소련 정부대표단과 회담을 갖고 "
        "경제문화교류 협정을 체결했다.",
    ],
)
def test_listed_targets_bare_hacking_and_soviet_history_are_no_cooperation(text):
    assert by_category(text) == {}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # "issued" is no North Korea issue
        ("Russia and North Korea issued a joint statement after the talks in Pyongyang.",
         "diplomatic"),
        # the North's weapons fired by Russia: no firing on the other side
        ("Russia has fired at least 20 North Korean ballistic missiles at Ukraine.", "military"),
        ("Russian troops opened fire with North Korean-made Koksan howitzers.", "military"),
        ("Российские войска открыли огонь из северокорейских гаубиц по позициям ВСУ.",
         "military"),
        ("Российские войска открыли огонь по позициям ВСУ из северокорейских гаубиц.",
         "military"),
        ("Russian forces opened fire on Kursk villages held by Ukraine using North Korean "
         "shells.", "military"),
        # "hardly anyone doubts" is no visit unlikely; an arrival with talks intended is a visit
        ("Вряд ли кто-то сомневается, что КНДР поставляет России артиллерийские снаряды.",
         "military"),
        ("Шойгу прибыл в Пхеньян, где намерен провести переговоры с Ким Чен Ыном.", "diplomatic"),
        # a figure that cannot be confirmed is no report that cannot be
        ("Although we cannot confirm the figure, North Korea has sent more than 10,000 troops "
         "to Russia.", "military"),
        ("정확한 규모는 확인할 수 없지만 북한군 1만여명이 러시아에 파병된 것은 확실하다.",
         "military"),
    ],
)  # fmt: skip
def test_weapons_used_together_doubts_and_unconfirmed_figures_keep_the_signal(text, category):
    found = by_category(text)
    assert category in found and not found[category].denied, text


def test_a_commission_meeting_under_a_soviet_era_agreement_is_todays_cooperation():
    found = by_category(
        "Россия и КНДР провели сессию комиссии по рыболовству в соответствии с Соглашением "
        "между Правительством СССР и Правительством КНДР о сотрудничестве в области рыбного "
        "хозяйства."
    )
    assert "economic" in found


def test_a_hacking_group_or_a_later_year_keeps_the_signal():
    assert "cyber" in by_category(
        "북한 해킹조직 라자루스가 러시아 사이버 범죄 조직과 협력해 악성코드를 공유했다."
    )
    assert "diplomatic" in by_category(
        "The 1961 treaty was replaced in 2024, when Putin and Kim Jong Un signed a new treaty."
    )
    # Stalin's gift is history, the visit on it today's news.
    assert "diplomatic" in by_category(
        "김정은 위원장이 스탈린이 김일성 주석에게 선물했던 열차를 타고 러시아를 방문했다."
    )


def test_the_two_countries_of_a_sentence_naming_a_third_state_are_that_pair():
    text = (
        "Putin praised Trump's progress with North Korea.\n"
        "Trump met with North Korean leader Kim Jong Un in Singapore on June 12, the first-ever "
        "meeting between leaders of the two countries."
    )
    assert by_category(text) == {}
    # With no third state in the sentence, the pair phrase is the article's two sides.
    assert "diplomatic" in by_category(
        "Putin praised Kim Jong Un.\nThe leaders of the two countries met in Vladivostok."
    )


def test_talks_on_the_norths_nuclear_issue_are_diplomacy_about_it():
    text = (
        "한국 외교부의 북한 핵 담당 관리가 모스크바를 방문해 러시아 외교부의 북한 핵 문제 특사와 "
        "만났다."
    )
    assert by_category(text) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Россия согласилась принять на стажировку северокорейских врачей.",
        "북한 의사들이 러시아 병원에서 연수를 받는다.",
    ],
)
def test_doctors_trained_at_the_others_clinics_are_an_exchange(text):
    assert "diplomatic" in by_category(text)


def test_calling_reports_disinformation_or_absurd_denies_them():
    found = by_category(
        "Сестра лидера КНДР назвала дезинформацией и абсурдом высказывания о поставках оружия "
        "из Северной Кореи в Россию."
    )
    assert found and all(s.denied for s in found.values())


@pytest.mark.parametrize(
    "text",
    [
        "Вашингтон может подтвердить, что КНДР поставляет оружие группе Вагнер.",
        "The United States can confirm that North Korea is supplying shells to Russia.",
    ],
)
def test_a_claim_that_one_can_confirm_is_no_speculation(text):
    assert "military" in by_category(text)
    # the modal alone still is
    assert by_category("North Korea could supply shells to Russia.") == {}


@pytest.mark.parametrize(
    "text",
    [
        "Сотрудники ФСБ повязали за браконьерство более 80 жителей КНДР.",
        "Лидеры РФ и КНР на встрече в Кремле призвали КНДР соблюдать резолюции Совбеза ООН.",
        "США и Россия не увидели угрозы в северокорейской ракете.",
    ],
)
def test_poachers_detained_and_russia_with_china_or_the_us_are_no_cooperation(text):
    assert by_category(text) == {}


def test_technology_passed_on_and_a_tourist_visa_for_workers():
    assert "technology" in by_category("러시아가 북한에 샤헤드 드론의 기술을 전수하고 있다.")
    found = by_category(
        "직접 북한 식당에 가서 새로 온 북한 여종업원들과 식당 관계자들을 만난 이 소식통은 "
        "북한 여종업원들이 관광비자로 러시아에 입국했다고 전했습니다."
    )
    assert "economic" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Россия решила не вмешиваться в переговоры США и КНДР.",
        "FSB는 러시아 국경순찰대가 불법 어업을 벌이던 북한 어선 2척을 억류했다고 밝혔다.",
    ],
)
def test_the_norths_talks_with_the_us_and_boats_held_are_no_cooperation(text):
    assert by_category(text) == {}


def test_a_visit_that_will_not_take_place_is_denied():
    found = by_category("North Korean leader Kim will not visit Moscow in May: Kremlin")
    assert found["diplomatic"].denied


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The Russian-North Korean Fisheries Commission set fishing quotas for 2014.", "economic"),
        ("Россия и КНДР договорились о поставках северокорейских яблок на российский рынок.",
         "economic"),
        ("Russia is providing fuel to North Korea in return.", "economic"),
        ("Граждане КНДР работают на лесозаготовках в Хабаровском крае России.", "labour"),
    ],
)  # fmt: skip
def test_fisheries_apples_fuel_and_logging(text, category):
    assert category in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        # no signs seen, a prediction, a wish, a tracked launch
        "Кирби: США не видят признаков, что Россия получила боеприпасы от КНДР.",
        "In return, North Korea will almost certainly demand military technology from Russia.",
        "Ким Чен Ын стремится получить современные российские военные технологии.",
        "По данным российского военного ведомства, система отслеживала северокорейскую ракету.",
        # a possibility, a forecast, a hope (not "가능성이 높다", an assessment)
        "북한의 파병 대가로 러시아가 무인기 기술을 넘겨주고 있을 가능성이 있다.",
        "평양-모스크바 노선은 노동자 수송 기회가 될 것이라고 예상했다.",
        "그는 러시아와 북한 사이 항공편이 재개되기를 희망한다고 말했다.",
        # no intention, mocked claims, the North's launch, Russia's envoy in Seoul
        "김여정은 북한이 군사기술을 러시아에 수출할 의사가 없다고 말했다.",
        "Захарова высмеяла заявление Блинкена о поставках оружия из КНДР в Россию.",
        "북한이 발사한 탄도미사일은 동해에 추락했다고 러시아 국방부가 밝혔습니다.",
        "Посол России в Сеуле прокомментировал поставки оружия КНДР.",
        # picked targets, predictions, plans, ships visiting a port
        "North Korean hackers allegedly pick on Russian targets for a change.",
        "The Kremlin is likely to leverage North Korean manpower in its offensive.",
        "Russian Far East governor says region plans to import apples from North Korea.",
        "Since a North Korean tanker visited Russia's port of Vostochny, more came.",
    ],
)
def test_no_signs_predictions_plans_hopes_and_refusals_claim_nothing(text):
    assert not {c for c, s in by_category(text).items() if not s.denied}


def test_new_year_cards_are_messages():
    assert "diplomatic" in by_category(
        "북한 김정은 국무위원장이 블라디미르 푸틴 러시아 대통령에게 새해를 맞아 연하장을 보냈다."
    )


def test_assessed_likely_short_tech_words_and_troops_not_workers():
    assert "military" in by_category(
        "국정원은 북한이 러시아에 추가 파병했을 가능성이 높다고 밝혔다."
    )
    assert "technology" in by_category(
        "North Korea is getting missile and submarine tech from Russia."
    )
    assert "technology" in by_category(
        "Пхеньян получает от Москвы наработки в области ракетостроения."
    )
    assert "labour" not in by_category("북한은 지난해 러시아에 군 인력을 파병했다.")


def test_komsomolsk_on_amur_is_russias():
    found = by_category("Ким Чен Ын совершил поездку в Комсомольск-на-Амуре.")
    assert "diplomatic" in found
    assert "komsomolsk_on_amur" in found["diplomatic"].russia_actors


def test_an_assessment_that_it_likely_happened_and_the_zoos_animals():
    assert "military" in by_category("North Korea is likely to have supplied shells to Russia.")
    assert "diplomatic" in by_category(
        "Министр Козлов передал в зоопарк Пхеньяна более 70 животных из России."
    )


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the fourteenth session's blind batches: claims the rules missed
        ("Defense Minister Belousov has scheduled a number of bilateral meetings with "
         "representatives of North Korea's military leadership.", "diplomatic"),
        ("Volasys Silverstar from Russia has been identified as facilitating the fraudulent "
         "employment of North Korean IT personnel.", "cyber"),
        ("North Korea likely received technical help from Russia to develop its submarine "
         "capabilities.", "technology"),
        ("김정은 위원장은 러시아의 공격형 무인기를 선물로 들고 평양으로 돌아왔습니다.", "military"),
        ("북한 해커들이 2021년부터 러시아 거래소를 이용해 돈을 세탁해 왔다.", "cyber"),
        # the eighteenth session's: parcels by post
        ("«Почта России» возобновила отправку посылок в КНДР, сообщила государственная компания.",
         "economic"),
        ("러시아 우정당국이 북한으로 가는 국제우편 소포 접수를 재개했다.", "economic"),
        # agreements and bodies of the two militaries
        ("North Korea and Russia signed an agreement on preventing dangerous military activities.",
         "military"),
        ("Россия и КНДР начали первое заседание совместной военной комиссии.", "military"),
        ("북한과 러시아가 ‘위험한 군사행동 방지에 관한 협정’을 체결했다.", "military"),
        # help with technology, the Dubna institute
        ("North Korea launched its rocket with technological help from Russia.", "technology"),
        ("북한 원자력공업성이 러시아의 두브나 핵연구합동연구소에 연구원을 파견했다.", "technology"),
    ],
)  # fmt: skip
def test_cues_the_blind_batches_showed_missing(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "North Korea accused of hacking Russian missile builder",
        # what a trip may bring, what one side prepares to get, whether it will be discussed,
        # a forecast; border guards' raids
        "Kim Jong Un's trip to Russia may help him put spy satellites in orbit.",
        "Эксперт считает, что Россия готовится получить от КНДР оружие и боеприпасы.",
        "오는 25일 북러 정상회담에서 대북제재 완화에 대한 논의가 있을지 주목됩니다.",
        "По оценке экспертов объемы торговли между Россией и Северной Кореей должны вырасти до "
        "миллиарда долларов.",
        "러시아 국경수비대가 북한인의 불법 월경과 무기밀매 단속을 벌이고 있다.",
    ],
)
def test_hacks_raids_plans_and_forecasts_are_no_signal(text):
    assert by_category(text) == {}, text


@pytest.mark.parametrize(
    "text",
    [
        "No such talks are underway and there are no plans to deploy North Korean volunteers "
        "to Russia, he pointed out.",
        "김여정 부부장은 북한 무기체계들이 러시아 수출용이라는 낭설이 여론을 어지럽힌다고 말했다.",
    ],
)
def test_no_such_talks_no_plans_and_groundless_rumours_deny(text):
    signals = by_category(text)
    assert signals and all(s.denied for s in signals.values())


@pytest.mark.parametrize(
    "text",
    [
        "Two North Korean hacker groups had access to the internal systems of Russian missile "
        "developer NPO Mashinostroyeniya for months.",
        "북한 해커집단이 러시아 미사일 개발업체의 방화벽을 뚫는 데 성공했다.",
        "For five months in 2021-2022, North Korean hackers ran wild in the systems of a top "
        "Russian missile company, according to a new report.",
    ],
)
def test_breaking_into_the_other_sides_systems_is_hostile(text):
    assert by_category(text) == {}, text


def test_a_russian_internet_link_for_the_north_is_cyber_not_a_technology_transfer():
    # the guideline's cyber ("a Russian internet link that expands DPRK cyber capacity"), as
    # most of the corpora's TransTeleCom items are labelled; not technology by the link alone
    for text in (
        "러시아 통신업체 트랜스텔레콤이 북한에 새로운 인터넷망을 구축해 서비스를 시작했다.",
        "TransTeleCom opened an internet connection for North Korea, Dyn Research said.",
    ):
        found = by_category(text)
        assert "cyber" in found and "technology" not in found, (text, found)


def test_weapons_called_not_for_export_to_russia_is_a_denial():
    text = "김여정은 북한이 생산 중인 무기 체계들이 러시아 '수출용'이 아닌 '대남용'이라고 주장했다."
    found = by_category(text)
    assert found and all(s.denied for s in found.values())


def test_nothing_to_say_no_irrefutable_evidence_and_abiding_by_sanctions_claim_nothing():
    for text in (
        "Кремль словами «нечего сказать» ответил на вопрос о визите Ким Чен Ына в Россию.",
        "У России нет неопровержимых доказательств того, что ракетные технологии попали в КНДР.",
    ):
        found = by_category(text)
        assert found and all(s.denied for s in found.values()), text
    assert by_category("Russia says it fully abides by UN sanctions on North Korea's oil.") == {}


@pytest.mark.parametrize(
    "text",
    [
        # "долгого" (long) is no debt, "Грузия" (Georgia) no cargo
        '"После долгого перерыва": Северная Корея приняла российскую делегацию.',
        "Россия и КНДР обсудили ситуацию в Грузии на долгосрочную перспективу.",
    ],
)
def test_russian_words_that_only_begin_like_an_economic_cue_are_none(text):
    assert "economic" not in by_category(text), text


def test_pupils_are_no_military_exercises():
    from streams.signals import default_cuebook

    def military(text):
        return {c.id for c in default_cuebook().cues_in(text) if c.category == "military"}

    assert military("Северокорейские ученики встретились с российскими сверстниками.") == set()
    assert military("Россия и КНДР провели учения.") == {"military_ties"}


@pytest.mark.parametrize(
    "text",
    [
        # joint exercises proposed
        "Russia proposed joint military exercises to North Korea.",
        "Россия предложила КНДР совместные военные учения.",
        "러시아가 북한에 연합군사훈련을 제안했다.",
        # warriors who liberated Kursk are troops
        "Посол отметил героизм северокорейских воинов, вместе с российскими коллегами "
        "освобождавших Курскую область.",
    ],
)
def test_joint_exercises_and_the_warriors_of_kursk_are_military(text):
    assert "military" in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Russia's exports of nuclear reactors, boilers and machinery to North Korea rose.",
        "러시아의 대북 수출 품목은 원자로·보일러·기계류였다.",
    ],
)
def test_the_customs_heading_of_reactors_and_boilers_is_no_technology(text):
    assert "technology" not in by_category(text)
    assert "technology" in by_category("Russia supplied North Korea with a nuclear reactor.")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a Russian criminal group as the Russia side: Lazarus leasing TrickBot's access
        ("The Lazarus group has become a customer of the TrickBot gang, from which it leases "
         "access to infected systems.", "cyber"),
        # 대러 ("toward Russia"): the Russia side of an export
        ("북한의 대러시아 수출 가운데 90%가 노동력 수출을 통해 벌어들인 것이다.", "labour"),
        # instructors of one side training the other's soldiers
        ("러시아 교관들이 평양에서 북한 조종사들의 훈련을 교육하고 있다.", "military"),
        ("Russian instructors are training North Korean drone pilots near Wonsan.", "military"),
        # a mutual-defence clause is military (the labelling guideline), in one word or two
        ("올해 북한과 러시아는 상호방위 요소를 포함한 전략 조약을 체결했습니다.", "military"),
        ("North Korea and Russia signed a treaty with a mutual defence clause.", "military"),
    ],
)  # fmt: skip
def test_criminal_groups_korean_direction_instructors_and_mutual_defence(text, category):
    assert category in by_category(text), text


def test_the_arms_trade_is_military_and_human_trafficking_is_no_trade():
    arms = by_category("Оба корабля играют ключевую роль в торговле оружием между Россией и КНДР.")
    assert "military" in arms and "economic" not in arms
    trafficking = by_category(
        "Информация о трудовых лагерях КНДР в России появилась в докладе о борьбе с "
        "торговлей людьми."
    )
    assert "economic" not in trafficking


def test_a_refusal_to_supply_is_a_denial_in_korean():
    signals = detect_signals(normalise_text("북한, 러시아에 무기 공급 거부"))
    assert signals and all(s.denied for s in signals)


@pytest.mark.parametrize(
    "text",
    [
        # others' talks on its nuclear programme, and others' Security Council resolutions
        "Правительство Южной Кореи провело закрытые переговоры с Россией, чтобы обсудить "
        "ситуацию с ядерной программой Северной Кореи.",
        "Russia is ready to back a draft UN Security Council resolution on North Korea, "
        "expected to be put forward by the US delegation later in the day, Russia's "
        "permanent envoy to the UN said on Friday.",
    ],
)
def test_diplomacy_about_the_north_is_not_with_it(text):
    assert "diplomatic" not in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Russia agreed to supply MiG-29 and Su-27 fighter jets to North Korea in exchange for "
        "troops.",
        "Пентагон: Россия отправит КНДР истребители МиГ-29 и Су-27.",
        "러시아가 북한에 미그-29와 수호이-27 전투기를 지원하기로 합의했다.",
    ],
)
def test_fighter_jets_handed_over_are_arms_not_technology(text):
    signals = by_category(text)
    assert "military" in signals and "technology" not in signals, text


def test_nuclear_fuel_for_a_reactor_is_technology():
    text = "Сейчас Россия поставляет ядерное топливо для исследовательского реактора в КНДР."
    assert "technology" in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        "Песков: сроки визита Ким Чен Ына в Москву пока не определены",
        "The dates of Kim Jong Un's visit to Russia have not yet been set, Peskov said.",
        "김정은 위원장의 방러 일정은 정해지지 않았다고 페스코프 대변인이 밝혔다.",
    ],
)
def test_a_visit_whose_dates_are_not_set_is_a_plan_not_a_development(text):
    assert by_category(text) == {}, text


def test_a_hostile_word_finds_no_target_beyond_a_dash_that_ends_its_clause():
    # "the attack" is on a wallet: the Russian exchange after the dash is what Lazarus used.
    used = (
        "Elliptic alleges that the Lazarus Group, which it believes is behind the attack — "
        "has used the Russian-based crypto exchange Garantex to launder the loot."
    )
    assert "cyber" in by_category(used)
    assert by_category("North Korean hackers attacked Russian defence firms.") == {}


@pytest.mark.parametrize(
    "text",
    [
        "In a meeting held at Vostochny Cosmodrome, Putin and Kim Jong Un discussed increased "
        "cooperation between the two nations.",
        "A meeting between Russian and North Korean officials took place in Vladivostok.",
    ],
)
def test_a_meeting_named_by_its_place_or_its_parties_is_diplomatic(text):
    assert "diplomatic" in by_category(text), text


def test_the_korean_wars_anniversary_marked_now_is_no_history():
    visit = (
        "쇼이구 장관은 북한이 ‘전승절’로 부르는 6·25전쟁 정전협정 체결일(7월 27일) 70주년을 "
        "맞아 7월 25∼27일 방북해 김정은 위원장을 만났다."
    )
    assert "diplomatic" in by_category(visit)
    assert by_category("6·25전쟁 당시 소련은 북한에 무기를 지원했다.") == {}


def test_travelling_to_the_other_capital_is_a_visit():
    assert "diplomatic" in by_category(
        "Russian Defense Minister Sergei Shoigu traveled to Pyongyang to meet Kim Jong Un."
    )


def test_the_norths_internet_provider_linked_through_a_russian_carrier_is_cyber():
    link = (
        "On 1 October 2017, the country's single internet provider, Star JV, gained a new "
        "connection to the global internet through Russian fixed-line provider Transtelecom."
    )
    assert "cyber" in by_category(link)
    # the route itself, in the words of those who watch the internet's routes
    for text in (
        "North Korea now has two ways to get on the internet, thanks to a new connection from "
        "Russia, according to cybersecurity outfit FireEye Inc.",
        "TransTeleCom, a Russian owned telecommunications company, began routing North Korean "
        "internet.",
    ):
        assert "cyber" in by_category(text), text


def test_a_russian_paying_for_the_norths_it_worker_programs_is_cyber_and_labour():
    # "IT worker" as a modifier ("IT worker programs", "an IT worker scheme"), not the plural
    text = (
        "Russian national Vitaliy Andreyev facilitated financial transactions for North "
        "Korea's IT worker programs."
    )
    assert {"cyber", "labour"} <= set(by_category(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "Сегодня делегация депутатов областного Заксобрания выехала в Северную Корею.",
        "Делегация Заксобрания встретится с руководителями президиума Верховного народного "
        "собрания КНДР.",
    ],
)
def test_a_regional_legislatures_delegation_to_the_north_is_diplomatic(text):
    assert "diplomatic" in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Россия и КНДР договорились укреплять оборонное сотрудничество.",
        "Стороны будут расширять сотрудничество в сфере обороны.",
        "러시아와 북한은 국방 협력을 강화하기로 했다.",
    ],
)
def test_defence_cooperation_is_the_military_ties_cue_in_russian_and_korean(text):
    assert "military_ties" in [cue.id for cue in default_cuebook().cues_in(text)], text


@pytest.mark.parametrize(
    "text",
    [
        "В январе власти Приморья запустили турпоездки на горнолыжный курорт в КНДР.",
        "A Russian tour operator sent its first tour group to North Korea's ski resort.",
        "러시아 여행사가 북한 마식령 스키장 관광 상품을 내놓았다.",
    ],
)
def test_tours_sold_and_run_are_economic(text):
    assert "economic" in by_category(text), text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("В Пхеньяне постоянно идет подбор кадров для работы в Амурской области.", "labour"),
        ("Северокорейский рабочий работает на стройке в Амурской области.", "labour"),
        (
            "Северокорейские военные смогли с помощью армии РФ модернизировать свои системы "
            "вооружения.",
            "technology",
        ),
        ("러시아와 북한의 협력은 기술 교류로 확장되고 있다.", "technology"),
    ],
)
def test_recruitment_one_worker_weapons_modernised_and_technology_exchange(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "Консультации между Моргуловым и первым заместителем главы МИД КНДР прошли в Москве.",
            "diplomatic",
        ),
        (
            "Сегодня во Владивостоке состоялось открытие генерального консульства КНДР.",
            "diplomatic",
        ),
        (
            "The Man Gyong Bong, a North Korean ferry, has called the port of Vladivostok.",
            "economic",
        ),
    ],
)
def test_consultations_a_consulate_opened_and_the_ferry_to_vladivostok(text, category):
    assert category in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Корейская Народно-Демократическая Республика (КНДР) признала Донецкую Народную "
        "Республику.",
        "North Korea recognised the Donetsk People's Republic, Russian state media said.",
        "북한이 도네츠크인민공화국을 승인했다고 러시아 매체가 전했다.",
        # a particle after a bracket is a word of its own; "officially recognised" the two
        "북한이 친러시아 분리주의자들이 선포한 도네츠크인민공화국(DPR)을 승인했다.",
        "북한이 도네츠크 인민공화국과 루간스크 인민공화국을 공식 인정했습니다.",
        # Kyiv's wording
        "Ukraine condemns the decision of the DPRK to recognize the so-called independence of "
        "the territories occupied by Russia in Donetsk and Luhansk.",
    ],
)
def test_the_republics_recognised_by_name_are_recognition(text):
    assert [cue.id for cue in default_cuebook().cues_in(text)].count("recognition") == 1, text


def test_prospects_discussed_at_a_meeting_held_are_its_topic_not_speculation():
    held = (
        "북한을 방문한 쇼이구 러시아 국가안보회의 서기가 4일 김정은 국무위원장을 만나 "
        "쿠르스크 지역의 복구 전망을 논의했다."
    )
    assert "diplomatic" in by_category(held)
    assert by_category("러시아가 북한에 전투기를 제공할 전망이다.") == {}


@pytest.mark.parametrize(
    "sentence",
    [
        "북한 정부는 숙련된 IT 노동자 수천 명을 주로 중국과 러시아에 파견했다.",
        "이들 기관은 러시아와 중국 등에 북한의 IT 인력을 파견한 것으로 드러났다.",
        "Volasys Silverstar from Russia facilitated the employment of North Korean IT personnel.",
        "Северная Корея курировала тысячу IT-специалистов в России.",
    ],
)
def test_the_norths_it_workers_abroad_are_workers_and_cyber(sentence):
    # The longer IT phrase of the cyber cues must not hide the workers in it.
    found = by_category(sentence)
    assert {"labour", "cyber"} <= set(found), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "모스크바에 북한 식당 평양관이 새로 문을 열었다.",
        'North Korean restaurant "Pyongyang" opens in Moscow.',
        "Именно в России трудятся тысячи северокорейских гастарбайтеров.",
    ],
)
def test_the_norths_restaurants_and_toilers_in_russia_are_labour(sentence):
    assert "labour" in by_category(sentence), sentence


def test_the_summits_cosmodrome_is_no_space_help_in_korean_as_in_english():
    for text in (
        "김정은 국무위원장과 푸틴 러시아 대통령이 보스토치니 우주기지에서 회담했다.",
        "Kim Jong Un and Vladimir Putin held talks at the Vostochny cosmodrome.",
    ):
        found = by_category(text)
        assert "diplomatic" in found and "technology" not in found, text


@pytest.mark.parametrize(
    "sentence",
    [
        "A Russian military aircraft landed in Pyongyang a day after Lavrov left North Korea.",
        "북한이 정찰위성을 발사한 다음 날 러시아 군용기가 평양에 도착했다.",
        "Самолет Минобороны России совершил полет в КНДР.",
    ],
)
def test_a_russian_military_plane_flying_to_the_north_is_military(sentence):
    assert "military" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "North Korea supports Russia's decision to annex four Ukrainian regions.",
        "Северная Корея признаёт результаты референдумов в ДНР и ЛНР о воссоединении с Россией.",
    ],
)
def test_the_annexation_backed_is_diplomatic_alignment(sentence):
    assert "diplomatic" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Началось строительство автомоста между Россией и КНДР.",
        "Россия и КНДР обсудили сотрудничество в области рыболовства.",
        "Власти Амурской области предложили КНДР в аренду тысячу гектаров земли.",
        "Приморский турбизнес протестировал тур в северокорейский Расон из России.",
        "Россия поставила КНДР сотни тысяч тест-систем на коронавирус.",
    ],
)
def test_russian_economic_words_the_cue_lists_lacked(sentence):
    assert "economic" in by_category(sentence), sentence


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("Thousands of North Koreans are working in Russia in near slave-like conditions.",
         "labour"),
        ("В докладе говорится о северокорейских трудовых лагерях на территории России.",
         "labour"),
        ("Россия предоставила Северной Корее технологии и материалы для ракетной программы.",
         "technology"),
        ("러시아는 게란 드론의 생산 기술과 장비를 북한에 제공하고 있다.", "technology"),
    ],
)  # fmt: skip
def test_workers_in_russia_labour_camps_and_production_technology(sentence, category):
    assert category in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia has shipped nearly $1 million worth of pork to North Korea this year.",
        "Впервые за пять лет международный поезд из КНДР пересёк границу России.",
        "Амурская область и КНДР продолжат проект козьей фермы.",
        "북한이 러시아와 연결되는 두만강 자동차다리 착공식을 진행했다.",
    ],
)
def test_pork_trains_goat_farms_and_the_bridge_in_one_word_are_economic(sentence):
    assert "economic" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "В Москве открылась выставка искусства Корейской Народно-Демократической Республики.",
        "В Москве прошла художественная выставка КНДР.",
        "러시아가 올해 전승절 기념 영화제에서 처음으로 북한 영화를 상영한다.",
        "북한 미술 전시회가 모스크바에서 열렸다.",
        "North Korean films will be shown at Russia's Victory Day film festival.",
        # a week of the other side's films
        "Неделя российского кино, в рамках которой жители Северной Кореи увидят современные "
        "фильмы режиссеров РФ, стартовала в Пхеньяне.",
        "A Russian film week opened in Pyongyang, North Korea.",
    ],
)
def test_the_other_sides_art_and_films_shown_are_exchanges(sentence):
    assert "diplomatic" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "The US Treasury sanctioned a Russian bank for serving North Korea's weapons of mass "
        "destruction programme.",
        "Российский банк обслуживал северокорейскую компанию, связанную с программами оружия "
        "массового уничтожения.",
        "러시아 은행이 북한의 대량 살상 무기 개발에 자금을 댔다.",
    ],
)
def test_the_weapons_of_mass_destruction_sanctions_name_are_no_arms_supplied(sentence):
    assert "military" not in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "러시아 회사가 북한산 맥주를 러시아로 수입할 수 있는 허가를 받았다.",
        "러시아 극동 지역의 마트에서 북한산 사과가 팔리고 있다.",
        "Российская компания получила разрешение ввозить пиво из КНДР.",
        "A Russian firm will import North Korean beer into Russia.",
    ],
)
def test_the_norths_beer_and_apples_imported_and_sold_in_russia_are_trade(sentence):
    assert "economic" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "러시아와 북한은 북한 땅에 게란 드론을 만드는 시설을 세우기로 했다.",
        "러시아가 북한에 드론 공장을 짓고 있다.",
        "북한의 방산기술 대표단이 러시아에 도착해 기술 협의를 하고 있다.",
    ],
)
def test_drone_plants_and_defence_technology_talks_in_korean_are_technology(sentence):
    assert "technology" in by_category(sentence), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Russian forces are training North Korean soldiers in Kursk on combat drones.",
        "북한군은 러시아에서 드론 조종 기술을 배우고 있다.",
        "러시아가 북한군에 무인기 운용 훈련을 제공했다.",
    ],
)
def test_drones_operation_taught_is_technology(sentence):
    assert "technology" in by_category(sentence), sentence


def test_a_congratulation_in_the_first_person_is_a_letter():
    sentence = (
        "От имени ЦК КПРФ сердечно поздравляю Вас с переизбранием на пост Генерального "
        "секретаря Трудовой партии Кореи."
    )
    assert "diplomatic" in by_category(sentence)


@pytest.mark.parametrize(
    "text",
    [
        # a duty is no debt
        "Ранее лидер КНДР Ким Чен Ын назвал помощь России братским долгом Северной Кореи.",
        # a trading company named is no trade
        "러시아 국적의 사업가는 북한 무역 회사와 체결한 계약에 따라 북한 IT 근로자를 고용했다.",
    ],
)
def test_a_duty_and_a_trading_company_are_no_trade(text):
    assert "economic" not in by_category(text), text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the Atlantic alliance's name and the non-proliferation treaty are no treaty of the two
        (
            "Military cooperation between North Korea and Russia was confirmed by the North "
            "Atlantic Treaty Organization.",
            "diplomatic",
        ),
        (
            "Russia urged North Korea to return to the Treaty on the Non-Proliferation of "
            "Nuclear Weapons.",
            "diplomatic",
        ),
        # a colleague is no worker sent
        (
            "A Chinese tourist on a trip with her co-workers looked at Russia and North Korea.",
            "labour",
        ),
        # the North's own programmes, which Russia asks it to give up
        (
            "Russia insists that North Korea abandon its nuclear missile programs and weapons.",
            "military",
        ),
        (
            "Россия призывает КНДР отказаться от ракетно-ядерной программы.",
            "military",
        ),
    ],
)
def test_other_treaties_colleagues_and_the_norths_own_programmes_are_no_signal(text, category):
    assert category not in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "If North Korean troops are on the ground, it would mark the first time Russia has "
        "foreign troops at its front.",
        "Если КНДР отправит войска в Россию, это станет первым таким случаем.",
    ],
)
def test_a_hypothesis_about_the_north_is_speculation(text):
    assert "military" not in by_category(text), text


@pytest.mark.parametrize(
    "text",
    [
        "North Korea set up a joint venture with a Russian firm in the Amur region.",
        "КНДР и Россия создали совместное предприятие в Приморье.",
        "북한은 러시아 기업과 합작기업을 설립했다.",
    ],
)
def test_a_joint_venture_is_economic(text):
    assert "economic" in by_category(text), text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a plan under consideration, a visit someone is getting ready for
        ("북한, 러시아 드론 공장에 2만5천명 파견 계획 검토", "technology"),
        ("Ким Чен Ын собирается в Россию на встречу с Путиным.", "diplomatic"),
        # talks only intended, a first summit prepared for, one unlikely soon
        ("Ким Чен Ын намерен посетить Владивосток для переговоров с Путиным.", "diplomatic"),
        ("Ким Чен Ын готовится к своей первой встрече с Путиным.", "diplomatic"),
        (
            "Песков заявил, что визит Путина в КНДР вряд ли состоится в ближайшие месяцы.",
            "diplomatic",
        ),
        # Russia's minister with his South Korean counterpart is another pair
        (
            "Сергей Лавров в ходе встречи с южнокорейским коллегой выразил позицию Москвы "
            "относительно КНДР.",
            "diplomatic",
        ),
        # missiles that might fall on Russia are the North as a problem
        (
            "Российские военные делают все, чтобы не допустить случайного попадания ракет КНДР "
            "на территорию России.",
            "military",
        ),
        # minerals developed together are no weapons developed together
        ("러시아는 북한과 광물 자원의 공동 개발을 추진할 수 있다.", "technology"),
    ],
)
def test_plans_considered_another_pair_stray_missiles_and_minerals_are_no_signal(text, category):
    assert category not in by_category(text), text


def test_an_absence_confirmed_is_a_denial():
    text = (
        "ГУР подтвердило отсутствие северокорейских военных на территории Украины и их "
        "неучастие в боевых действиях на стороне России."
    )
    found = by_category(text)
    assert "military" in found and found["military"].denied


def test_the_tumen_great_bridge_is_economic():
    assert "economic" in by_category("북한과 러시아를 잇는 두만강 대교 착공식이 열렸다.")


@pytest.mark.parametrize(
    "text",
    [
        "В Москве состоялась премьера документального фильма о военных из КНДР, помогавших России.",
        "러시아가 우주에서 찍은 영화가 북한에서 개봉했다.",
        "The premiere of the Russian documentary film about North Korea was held in Moscow.",
    ],
)
def test_the_other_sides_films_premiered_or_screened_are_diplomatic(text):
    assert "diplomatic" in by_category(text), text


def test_media_reports_commented_on_are_denied():
    text = (
        "Песков прокомментировал публикации СМИ о перевозках угля из КНДР через Россию "
        "в Южную Корею."
    )
    found = by_category(text)
    assert "economic" in found and found["economic"].denied


def test_the_norths_own_nuclear_and_missile_programme_is_no_missile_supplied():
    # Russia's view of the North's own "nuclear and missile" programme: no missile given ...
    assert "military" not in by_category("[심층 리포트] 러시아가 보는 북한의 핵·미사일 능력")
    # ... while shells and missiles sent beside it stay a signal
    assert "military" in by_category(
        "북한은 핵·미사일 능력을 키우는 한편 러시아에 포탄과 미사일을 공급했다."
    )


def test_russia_calling_the_norths_launch_a_violation_is_no_space_help():
    text = (
        "Russia said that North Korea's satellite launch has violated a UN Security Council "
        "resolution and needs to be responded to."
    )
    assert "technology" not in by_category(text)


@pytest.mark.parametrize(
    "text",
    [
        "Так он ответил на вопрос о перспективах визита лидера КНДР Ким Чен Ына в Москву "
        "по приглашению президента России Владимира Путина.",
        "Experts weigh in on prospects for the first North Korea-Russia summit in years.",
        "Experts believe Kim Jong Il's visit to Moscow is quite likely, as the North Korean "
        "leader has urgent problems to discuss with the Kremlin.",
    ],
)
def test_the_prospects_of_a_visit_or_summit_are_speculation(text):
    assert "diplomatic" not in by_category(text), text


def test_arms_not_received_is_a_denial():
    found = by_category("러시아 측도 북한으로부터 무기를 공급받지 않았다고 주장했다.")
    assert "military" in found and found["military"].denied


@pytest.mark.parametrize(
    "text",
    [
        # the North's name for its troops' war in Russia, with their combat feats honoured
        "Kim Jong Un gave on-site guidance at the Memorial Museum of Combat Feats at Overseas "
        "Military Operations.",
        "В Пхеньяне открыли улицу в честь «героев-бойцов зарубежной военной операции».",
        "김정은 위원장이 해외군사작전 전투위훈기념관 건설장을 방문했다.",
    ],
)
def test_the_norths_overseas_military_operations_are_its_war_in_russia(text):
    assert "military" in by_category(text), text


def test_the_two_sides_only_on_a_list_of_states_with_a_third_give_no_signal():
    listed = (
        "The White House says U.S. President Donald Trump has signed a bill into law that "
        "imposes new sanctions on Russia, Iran and North Korea."
    )
    assert by_category(listed) == {}
    # the pair named apart from the list still is the pair
    assert "diplomatic" in by_category("Russia and North Korea signed a treaty, Iran said.")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Vladimir Putin's bonhomie with Kim Jong Un took a fresh turn, with the Russian "
         "president gifting the North Korean leader a new car.", "diplomatic"),
        ("Северная Корея признала легитимными референдумы и поддержала аннексию Россией "
         "этих территорий.", "diplomatic"),
        # Russian artists (русские, not российские) in Pyongyang
        ("Группа русских артистов прибыла в Пхеньян на концерт в честь праздника КНДР.",
         "diplomatic"),
        ("Россия и КНДР урегулировали долговой вопрос.", "economic"),
        ("Seoul claims that the ships carried military cargo between Russia and North Korea.",
         "military"),
        ("러시아 선박 2척이 북한의 군수물자를 운송했다.", "military"),
    ],
)  # fmt: skip
def test_gifts_annexation_backed_russian_artists_debts_and_military_cargo(text, category):
    assert category in by_category(text), text


def test_the_defence_treaty_is_military_and_a_visit_that_may_happen_is_speculation():
    treaty = (
        "В МИД Южной Кореи вызвали посла РФ, чтобы выразить протест по поводу нового "
        "оборонного договора между Россией и Северной Кореей."
    )
    assert "military" in by_category(treaty)
    assert "diplomatic" not in by_category("Kim Jong-un may visit Russia next year, Peskov said.")


def test_the_treatys_mutual_defence_clause_in_its_own_words_is_military():
    # The clause quoted without naming either state ("one of the parties ... the other party"),
    # in an article that names both: military, in the three languages.
    for text in (
        "Russia and North Korea ratified the treaty. It states that if one of the parties is "
        "subjected to an armed attack, the other party will immediately provide military and "
        "other assistance.",
        "Россия и КНДР ратифицировали договор. Если одна из сторон подвергнется вооруженному "
        "нападению и окажется в состоянии войны, другая сторона окажет военную и иную помощь.",
        "러시아 하원이 북한과의 조약을 비준했다. 조약에는 '어느 한쪽이 무력 침공을 당하면 다른 "
        "한쪽은 지체 없이 군사 원조 등을 제공한다'는 내용이 적혔다.",
    ):
        assert "military" in by_category(text), text
    # The parties of a clause are no pair without a cue of cooperation in the sentence.
    text = (
        "Russia and North Korea ratified the treaty. Either party may end it with a year's notice."
    )
    assert "military" not in by_category(text)


def test_a_troop_dispatch_is_military_and_satellite_data_no_space_help():
    text = "Seoul analysed North Korea and Russia's officialization of the troop dispatch."
    assert "military" in by_category(text)
    text = (
        "Rason's port received Russian ships, per reports citing satellite data, likely "
        "delivering supplies from North Korea to Russia."
    )
    assert "technology" not in by_category(text)


def test_the_leaders_title_is_no_troops_and_a_refusal_to_confirm_a_denial():
    text = (
        "Supreme Commander-in-Chief of the DPRK Armed Forces Kim Jong Un met Russian Defense "
        "Minister Sergey Shoigu."
    )
    assert "military" not in by_category(text)
    for text in (
        "North Korea's foreign ministry has refused to confirm reports that its troops have "
        "been deployed to support Russia.",
        # unable to confirm rumours of them: no confirmation either
        "Austin said he was unable to confirm rumours that North Korean troops are in Russia.",
        "Песков заявил, что не может подтвердить сообщения о переброске войск КНДР в Россию.",
        "페스코프 대변인은 김 위원장의 방러 계획에 대한 보도를 확인할 수 없다고 밝혔다.",
    ):
        found = by_category(text)
        assert next(iter(found.values())).denied, text


def test_a_launch_condemned_is_no_arms_and_a_visit_that_cannot_happen_a_denial():
    text = (
        "Putin said he and Abe decisively condemned North Korea's launch of a ballistic "
        "missile that flew over Japan."
    )
    assert "military" not in by_category(text)
    for text in (
        "North Korean leader Kim Jong Un will not be able to visit Moscow on May 9 for the "
        "celebrations with Putin.",
        '페스코프 대변인은 "아직 러시아와 북한의 정상회담 계획은 없다"고 설명했다.',
    ):
        assert by_category(text)["diplomatic"].denied, text


@pytest.mark.parametrize(
    "text",
    [
        "More than 200 Russian tourists have visited North Korea this year for skiing trips.",
        "Российские туристы, посетившие северокорейский курорт Вонсан-Кальма, рассказали о "
        "поездке в КНДР.",
        "러시아 관광객 13명이 단체 관광 형태로 북한 원산 관광지구를 방문했다.",
        # a leader of a third state named beside them is none of the two sides'
        "More than 200 Russian tourists visited North Korea in the year Yoon Suk Yeol took office.",
        # a passenger train arriving: its route is the news
        "A passenger train that departed Pyongyang has arrived in Moscow, Russian Railways said.",
    ],
)
def test_tourists_visiting_are_tourism_not_a_visit_between_the_states(text):
    signals = by_category(text)
    assert "diplomatic" not in signals
    assert "economic" in signals  # tourism stays a trade cue


@pytest.mark.parametrize(
    "text",
    [
        # a delegation of the tourism board, a governor on the trip: a visit still
        "연해주 관광청 대표단이 지난 6~8일 북한 라선시를 방문해 관광객 유치를 논의했다.",
        "Russian Foreign Minister Sergei Lavrov visited North Korea's new beach resort, "
        "where tourists from Russia stayed this summer.",
        # talks between the states about tourists are talks
        "Russia and North Korea held talks in Pyongyang on sending more Russian tourists.",
        # a tourist zone (an adjective) is no tourists
        "Российские дипломаты посетили туристскую зону Вонсан-Кальма в КНДР.",
    ],
)
def test_a_delegation_talks_or_an_official_among_tourists_is_still_a_visit(text):
    assert "diplomatic" in by_category(text)


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        # one condolence, not only condolences
        ("North Korean leader Kim Jong Un sent a rare personal condolence to President "
         "Vladimir Putin over the death of Russia's ambassador.", "diplomatic"),
        # Muscovy: Russia as Ukrainian outlets writing in Russian name it
        ("Остальные военные КНДР уже переброшены на территорию Московии.", "military"),
        ("North Korean work abroad, particularly in Russia and China, continues apace.",
         "labour"),
    ],
)  # fmt: skip
def test_a_condolence_muscovy_and_work_abroad(sentence, category):
    assert category in by_category(sentence), sentence


def test_false_rumours_deny():
    text = ("Kim Jong Un's sister slams US for spreading false rumours on North Korean arms "
            "transfer to Russia.")  # fmt: skip
    signals = by_category(text)
    assert signals and all(s.denied for s in signals.values())
