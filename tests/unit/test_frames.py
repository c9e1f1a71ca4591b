"""Event frames: action, objects, quantities, dates and basis from signal sentences (pure)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from schemas.models import RawArticle
from streams.analyze import analyze_article
from streams.catalogue import seeds_dir
from streams.frames import default_framebook
from streams.stories import event_time

FRIDAY = date(2025, 3, 7)


def read(sentence: str, category: str, published: date = FRIDAY):
    reading = default_framebook().read_sentence(sentence, [category], published)
    action, objects, quantities, when, precision, background, *_ = reading
    return action.id, objects, quantities, when, precision, background


@pytest.mark.parametrize(
    ("sentence", "unit", "value"),
    [
        ("Russia plans to employ 12,000 North Korean workers in Tatarstan.", "workers", 12000),
        ("Россия планирует привлечь 12 тысяч работников из КНДР.", "workers", 12000),
        ("북한이 노동자 1만2000명을 보낼 것이라고 밝혔다.", "workers", 12000),
        ("북한군 1만 1천 명이 러시아에 파병됐다.", "troops", 11000),
        # a count's thousands and the rest written apart
        (
            "올해 3분기 러시아를 방문한 북한인 5천 263명 중 학업을 목적으로 방문한 사람은 많다.",
            "people",
            5263,
        ),
        ("In 2023 North Korea sent 1.5 million shells to Russia.", "shells", 1_500_000),
        ("North Korea sent thousands of troops to Russia.", "troops", None),
        ("North Korea Sends 5K Construction Troops to Russia", "troops", 5000),
        # numbers written as words before a multiplier
        ("КНДР направит пять тысяч военных строителей в Курскую область.", "troops", 5000),
        ("North Korea has sent a million artillery shells to Russia.", "shells", 1_000_000),
        (
            "North Korea has sent one-point-five million artillery shells to Russia.",
            "shells",
            1_500_000,
        ),
        ("Около двух тысяч северокорейских военных погибли в боях.", "casualties", 2000),
        # a count of soldiers with a casualty word is a toll
        ("Over 3,000 North Korean soldiers killed and wounded in Kursk", "casualties", 3000),
        ("Около 6000 северокорейских военных погибли в боях.", "casualties", 6000),
        ("Северная Корея потеряла 101 солдата во время боёв.", "casualties", 101),
        # livestock by the head
        ("В Северную Корею отправили третью партию из 150 животных.", "animals", 150),
        ("Russia sent 447 goats to North Korea's Rason.", "animals", 447),
        ("러시아가 북한 라선에 염소 100마리를 보냈다.", "animals", 100),
        ("러시아가 북한에 오를로프 품종 말 24필을 보냈다.", "animals", 24),
        # a number word alone before its noun (past adjectives)
        ("Россия отправила в КНДР более ста коз.", "animals", 100),
        ("КНДР направит тысячу саперов в Курскую область.", "engineers", 1000),
        ("Ukraine captured two North Korean soldiers in Kursk.", "troops", 2),
        ("Six North Korean soldiers were reportedly killed near Donetsk.", "casualties", 6),
        ("Россия и КНДР: около двухсот северокорейских рабочих прибыли.", "workers", 200),
    ],
)
def test_quantities_are_normalised_with_their_unit_in_three_languages(sentence, unit, value):
    category = "labour" if unit == "workers" else "military"
    quantities = read(sentence, category)[2]
    assert {"unit": unit, "value": value} in [
        {"unit": q["unit"], "value": q["value"]} for q in quantities
    ]


def test_the_last_word_of_a_hyphenated_number_is_not_the_number():
    # "twenty-five" is not spelled by the number words: no count rather than 5,000
    quantities = read("North Korea sent twenty-five thousand troops to Russia.", "military")[2]
    assert 5000 not in [q["value"] for q in quantities]


def test_a_number_word_after_a_number_is_read_from_the_sentences_words_too():
    # the reader's fast test of the sentence's words, after a date's number has been read
    from streams.phrases import Tokens

    sentence = "21 августа по приглашению поверенного посольство посетили пять студентов МГИМО."
    quantities = default_framebook()._quantities
    for words in (None, Tokens.of(sentence).words):
        found = quantities.read(sentence, words)
        assert [(q["unit"], q["value"]) for q in found] == [("students", 5)], words


@pytest.mark.parametrize(
    "sentence",
    [
        "The two countries sent workers to the Far East.",
        "В течение двух лет рабочие из КНДР трудились в России.",
        "A North Korean soldier was captured in Kursk.",
        "북한이 러시아와 필요한 협력을 논의했다고 2필지를 언급했다.",
    ],
)
def test_a_number_word_counts_only_its_own_noun(sentence):
    # a word between the number and the unit noun that is no adjective ends the count; "a" is
    # no number; 필요 and 필지 are no horses
    assert read(sentence, "labour")[2] == [] == read(sentence, "military")[2]


def test_a_year_is_not_a_quantity():
    assert read("In 2024 troops were sent to Russia by North Korea.", "military")[2] == []


@pytest.mark.parametrize(
    ("sentence", "category", "when", "precision"),
    [
        ("On June 19, 2024, Putin and Kim signed the treaty.", "diplomatic",
         date(2024, 6, 19), "day"),
        ("Ким Чен Ын 19 июня 2024 года подписал договор с Путиным.", "diplomatic",
         date(2024, 6, 19), "day"),
        ("2024년 6월 19일 북러 정상은 조약에 서명했다.", "diplomatic", date(2024, 6, 19), "day"),
        ("North Korea sent troops to Russia last June.", "military", date(2024, 6, 1), "month"),
        ("지난 6월 북한은 러시아에 병력을 파병했다.", "military", date(2024, 6, 1), "month"),
        ("Shoigu met Kim Jong Un in Pyongyang on Wednesday.", "diplomatic",
         date(2025, 3, 5), "day"),
        ("Путин вчера встретился с Ким Чен Ыном.", "diplomatic", date(2025, 3, 6), "day"),
        ("North Korea sent troops to Russia last year.", "military", date(2024, 1, 1), "year"),
        # A day after "last <month>", and a month of last year, in each language.
        ("지난 2월 3일 북한은 러시아에 병력을 파병했다.", "military", date(2025, 2, 3), "day"),
        ("작년 2월 19일 북러 정상은 조약에 서명했다.", "diplomatic", date(2024, 2, 19), "day"),
        # A month of this year, and a bare month with its part (early, late), in Korean.
        ("올해 1월 초 러시아는 북한 미사일을 발사했다.", "military", date(2025, 1, 1), "month"),
        ("북한은 2월 말 러시아에 병력을 추가 파병했다.", "military", date(2025, 2, 1), "month"),
        ("북한은 10월 중순 러시아에 병력을 파병했다.", "military", date(2024, 10, 1), "month"),
        # A part of a month: early, mid, late, its end.
        ("Russia fired North Korean missiles in mid-January.", "military", date(2025, 1, 1),
         "month"),
        ("At the end of June Putin visited Pyongyang.", "diplomatic", date(2024, 6, 1), "month"),
        ("В конце июня Путин посетил Пхеньян.", "diplomatic", date(2024, 6, 1), "month"),
        ("В феврале прошлого года Путин подписал договор с Ким Чен Ыном.", "diplomatic",
         date(2024, 2, 1), "month"),
        ("Putin and Kim signed the treaty in February last year.", "diplomatic",
         date(2024, 2, 1), "month"),
        # A span of years ends in its last.
        ("В 2023–2024 годах КНДР отправила в Россию рабочих.", "labour", date(2024, 1, 1),
         "year"),
        # "since February 2020" states its year: not "since February" of the latest year.
        ("Flights between North Korea and Russia were suspended since February 2021.",
         "economic", date(2021, 2, 1), "month"),
        ("Рейсы между КНДР и Россией не летали с февраля 2023 года.", "economic",
         date(2023, 2, 1), "month"),
        ("Putin arrived in Pyongyang in June 2024 and met Kim Jong Un.", "diplomatic",
         date(2024, 6, 1), "month"),
    ],
)  # fmt: skip
def test_explicit_and_relative_dates_resolve_against_the_publication_date(
    sentence, category, when, precision
):
    assert read(sentence, category)[3:5] == (when, precision)


@pytest.mark.parametrize(
    ("sentence", "category", "published", "when"),
    [
        ("2025년 3분기 북한을 방문한 러시아 관광객이 역대 최고 수준을 기록했다.", "economic",
         date(2025, 11, 9), date(2025, 9, 1)),
        ("In the third quarter of 2024, 5,263 North Koreans entered Russia.", "labour",
         date(2024, 11, 8), date(2024, 9, 1)),
        ("В третьем квартале 2023 года в Россию въехали 2 тысячи граждан КНДР.", "labour",
         date(2024, 1, 24), date(2023, 9, 1)),
        # without a year: the latest such quarter begun by publication
        ("3분기 러시아를 방문한 북한인은 5천 263명이다.", "labour", date(2024, 11, 8),
         date(2024, 9, 1)),
        ("In Q4, Russian tourists visited North Korea.", "economic", date(2025, 2, 10),
         date(2024, 12, 1)),
    ],
)  # fmt: skip
def test_a_quarter_is_dated_by_its_last_month_and_its_figures_are_news(
    sentence, category, published, when
):
    _, _, _, found, precision, background = read(sentence, category, published)
    assert (found, precision, background) == (when, "month", False)


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia expects North Korean workers in Q3 2025.",
        "Во втором квартале 2025 года ожидают рост.",
    ],
)
def test_a_quarter_still_to_come_is_not_last_years(sentence):
    # not the same quarter a year before: no date at all
    assert read(sentence, "labour", date(2025, 3, 1))[3] is None


def test_a_quarter_long_past_is_a_restatement():
    reading = read("In Q1 2024 trade between Russia and North Korea rose.", "economic",
                   date(2025, 6, 1))  # fmt: skip
    assert reading[3] == date(2024, 3, 1) and reading[5] is True


def test_a_month_without_a_year_is_its_latest_occurrence_before_publication():
    assert read("Kim visited Vostochny in September.", "diplomatic")[3] == date(2024, 9, 1)
    assert read("Kim visited Vostochny in February.", "diplomatic")[3] == date(2025, 2, 1)


def test_a_deadline_is_not_the_developments_date():
    assert read("Рабочие из КНДР прибудут в Россию до конца июня.", "labour")[3] is None


def test_a_month_or_day_soon_after_publication_is_a_plan_not_a_past_date():
    january = date(2024, 1, 12)
    # Not February of the year before (which would make the report look like history).
    when, _, background = read(
        "North Korea will welcome Russian tourists in February.", "economic", january
    )[3:6]
    assert when is None and not background
    july = date(2025, 7, 15)
    assert (
        read("The first flight to Pyongyang is scheduled for July 27.", "economic", july)[3] is None
    )
    # Further back than the near months it is still the latest past one.
    assert read("Kim visited Vostochny in September.", "diplomatic", january)[3] == date(2023, 9, 1)


@pytest.mark.parametrize(
    "sentence",
    [
        "Belousov invited North Korean troops to the parade in Moscow next May 9.",
        "벨로우소프 국방장관은 내년 5월 9일 모스크바 열병식에 북한군 부대 파견을 초청했다.",
        "러시아 모스크바와 북한 평양을 연결하는 직항 여객기가 오는 27일부터 운항을 시작한다.",
    ],
)
def test_a_date_announced_as_coming_is_not_the_developments_date(sentence):
    when, _, background = read(sentence, "military", date(2024, 11, 30))[3:6]
    assert when is None and not background


@pytest.mark.parametrize(
    "sentence",
    [
        "The Russian delegation arrived in Pyongyang and would stay there until Friday.",
        "Российская делегация прибыла в Пхеньян и пробудет там по пятницу.",
        "러시아 대표단이 평양에 도착해 금요일까지 머문다.",
        "The Russian delegation will visit Pyongyang next Friday.",
    ],
)
def test_a_weekday_a_stay_lasts_until_is_not_the_developments_date(sentence):
    # Published on a Tuesday: not the Friday before it.
    assert read(sentence, "diplomatic", date(2024, 5, 21))[3] is None


def test_a_weekday_told_as_the_news_is_the_last_such_day():
    reading = read("A Russian delegation arrived in Pyongyang on Friday.", "diplomatic",
                   date(2024, 5, 21))  # fmt: skip
    assert reading[3:5] == (date(2024, 5, 17), "day")


@pytest.mark.parametrize(
    ("sentence", "objects"),
    [
        ("North Korea has sent about 5,000 military builders to Russia.", ["military_builders"]),
        ("Северная Корея направила в Россию около 5000 военных строителей.",
         ["military_builders"]),
        ("North Korea will send 1,000 sappers and 5,000 military builders to Kursk.",
         ["deminers", "military_builders"]),
    ],
)  # fmt: skip
def test_military_builders_are_not_the_sappers(sentence, objects):
    assert read(sentence, "military")[1] == objects


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # the halt's date is left for the development's
        (
            "앞서 러시아는 2020년 1월 코로나19로 중단했던 북한 단체 관광을 4년 2개월 만인 지난 2월 "
            "재개했다.",
            date(2024, 4, 27),
            (date(2024, 2, 1), "month"),
        ),
        (
            "Pyongyang halted the flights in 2020 and resumed them last month.",
            date(2023, 9, 20),
            (date(2023, 8, 1), "month"),
        ),
        (
            "Железнодорожное сообщение, приостановленное в 2020 году, возобновилось 17 июня.",
            date(2024, 6, 20),
            (date(2024, 6, 17), "day"),
        ),
        (
            "Сообщение возобновляется с 17 июня, оно было приостановлено в 2020 году.",
            date(2025, 6, 20),
            (date(2025, 6, 17), "day"),
        ),
        # a number's comma ends no clause
        (
            "Russia halted 1,200 flights in 2020 and resumed them last month.",
            date(2023, 9, 20),
            (date(2023, 8, 1), "month"),
        ),
        # a date in another clause than the halt's is the development's
        (
            "Flights, halted, resumed on 3 June, the ministry said on 5 June.",
            date(2024, 6, 25),
            (date(2024, 6, 3), "day"),
        ),
        # a halt takes a date after it (before it, in Korean), not one it follows
        (
            "Trains resumed on 17 June after being halted for four years, the ministry said "
            "on 20 June.",
            date(2024, 6, 25),
            (date(2024, 6, 17), "day"),
        ),
        # a halt's date is the only one given: it is read, as before
        (
            "Russia suspended the flights to Pyongyang in March 2020.",
            date(2020, 4, 2),
            (date(2020, 3, 1), "month"),
        ),
        # no resumption told: the halt is the news, and its date the development's
        (
            "Russia suspended the flights on 3 June, Interfax reported on 5 June.",
            date(2024, 6, 25),
            (date(2024, 6, 3), "day"),
        ),
        # halts are whole words: not the "halt" of asphalt
        (
            "On 17 June the asphalt road reopened, officials said on 20 June.",
            date(2024, 6, 25),
            (date(2024, 6, 17), "day"),
        ),
    ],
)
def test_a_halts_date_gives_way_to_the_developments(sentence, published, expected):
    assert default_framebook()._dates.read(sentence, published) == expected


@pytest.mark.parametrize(
    ("sentence", "speculative"),
    [
        ("The military said it cannot rule out that North Korea receives missile technology "
         "from Russia.", True),
        ("군은 북한이 러시아로부터 기술을 지원받고 있을 가능성을 배제할 수 없다고 밝혔다.", True),
        ("Эксперты не исключают, что Россия передаст КНДР технологии.", True),
        ("Russia is reportedly training North Korean soldiers on drones.", False),
        # another development as a meeting's topic is not that development
        ("이번 러시아 대표단의 방문은 북한 노동자 파견 문제를 논의하기 위함으로 보인다.", True),
        ("Ukraine claims North Korea sent 10,000 troops to Russia.", False),
        ("North Korea likely gets nuclear submarine technology from Russia.", True),
        ("North Korea may send kamikaze drones and additional troops to Russia, says Seoul.",
         True),
        ("In May, North Korea sent more troops to Russia, says Seoul.", False),
        # a hypothesis: if it decides to send troops, it has not
        ("전문가들은 북한이 실제 파병을 결정한다면 그 배경은 러시아와의 연대일 것으로 본다.", True),
        ("If Pyongyang sends troops to Russia, Seoul will respond.", True),
        ("북한이 러시아에 병력을 보냈다고 국정원이 밝혔다.", False),
        # a plan is no act yet
        ("Media: North Korean leader Kim Jong Un plans to visit Russia.", True),
        ("Кожемяко рассказал, что делегация Приморья планирует посетить КНДР.", True),
        # readiness is an offer; support that "would be needed"
        ("무라시코 장관은 의료 분야에서 북한과 협력할 준비가 돼 있다고 말했다.", True),
        ("Russia is ready to help North Korea build satellites, the minister said.", True),
        ("Россия готова к сотрудничеству с КНДР в сфере здравоохранения.", True),
        ("의료진 교육 등에 러시아의 지원이 필요할 것으로 보인다.", True),
        # an idea called fitting is no act
        ("Мацегора назвал уместной идею привлечения КНДР к военным учениям России.", True),
        # a need is no act: Russia "in dire need of" arms support has not been given it
        ("결국 북한이 기술력을 의지할 곳은 무기 지원이 절실한 러시아로 귀결됩니다.", True),
    ],
)  # fmt: skip
def test_speculation_is_told_from_attributed_reports(sentence, speculative):
    category = "technology" if "техн" in sentence or "기술" in sentence else "military"
    category = "labour" if "노동자" in sentence else category
    published = date(2024, 11, 11)
    assert default_framebook().read_sentence(sentence, [category], published).speculative is (
        speculative
    )


@pytest.mark.parametrize(
    ("sentence", "speculative"),
    [
        ("Russian Foreign Minister Sergey Lavrov was expected to visit Pyongyang.", True),
        ("North Korean leader Kim Jong Un expected to visit Russia soon.", True),
        ("Kim Jong Un may visit Russia this year, the Kremlin said.", True),
        ("Russian Foreign Minister Sergey Lavrov will visit North Korea on Wednesday.", False),
        # a visit whose date is not set, or asked about, is not a visit yet
        ("The Kremlin would disclose information on Kim Jong Un's potential visit to Russia.",
         True),
        ("Песков на вопрос, прояснились ли сроки визита Ким Чен Ына в Москву, сказал, что нет.",
         True),
        ("В Кремле сообщили об отсутствии конкретных сроков визита Ким Чен Ына в Москву.", True),
        ("크렘린궁은 김정은 위원장의 방러에 대해 정보가 나오는 대로 알리겠다고 밝혔다.", True),
        ("Ким Чен Ын прибыл в Москву с визитом.", False),
        # a visit being prepared
        ("Rudenko said Moscow is preparing for a visit from Kim Jong Un later this year.", True),
        ("Руденко заявил о подготовке к визиту Ким Чен Ына в Россию.", True),
        ("러시아는 김정은 위원장의 방러 준비를 하고 있다고 밝혔다.", True),
    ],
)  # fmt: skip
def test_a_visit_only_expected_is_speculation(sentence, speculative):
    reading = default_framebook().read_sentence(sentence, ["diplomatic"], date(2024, 11, 11))
    assert reading.speculative is speculative


def test_a_meeting_that_discusses_is_still_a_meeting():
    reading = default_framebook().read_sentence(
        "Shoigu and Kim Jong Un discussed defence cooperation in Pyongyang.",
        ["diplomatic"],
        date(2023, 7, 27),
    )
    assert reading.action.family == "meeting" and not reading.speculative


def test_captured_on_satellite_imagery_is_not_a_prisoner():
    sentence = (
        "The last time the North Korean tanker was captured by satellite imagery it was "
        "near Vladivostok, Russia."
    )
    assert read(sentence, "military")[0] != "captured"
    assert read("Two North Korean soldiers were captured by Ukraine in Kursk, Russia.",
                "military")[0] == "captured"  # fmt: skip


def test_background_restatements_are_told_from_reports():
    assert read("North Korea, which sent troops to Russia last year, tested a missile.",
                "military")[5]  # fmt: skip
    assert read("Kim and Putin signed the treaty on June 19, 2024.", "diplomatic")[5]
    assert not read("North Korea has sent 10,000 troops to Russia, the Pentagon said.",
                    "military")[5]  # fmt: skip
    assert not read("Shoigu met Kim Jong Un in Pyongyang on Wednesday.", "diplomatic")[5]
    assert read("Kim may visit Russia to mark the first anniversary of their signing of the "
                "treaty with Putin.", "diplomatic")[5]  # fmt: skip
    # an earlier claim told in the past perfect, in a report of its denial
    assert read("US officials had said Russia was in the process of purchasing rockets and "
                "artillery shells from North Korea.", "military")[5]  # fmt: skip
    # news set against a development others reported ("amid reports that ...")
    assert read("Rail traffic between Russia and North Korea has increased following Kim "
                "Jong Un's recent visit to Russia.", "diplomatic")[5]  # fmt: skip
    assert read("A Russian government jet landed in Pyongyang amid reports that "
                "North Korea is sending troops to Russia.", "military")[5]  # fmt: skip
    assert read("북한이 러시아에 병력을 파견하고 있다는 보도 속에 러시아 정부 제트기가 "
                "평양에 착륙했다.", "military")[5]  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "category", "background"),
    [
        # Last year's figure, newly published, is news of its own ...
        ("Russia-North Korea trade hit a record $34 million last year.", "economic", False),
        ("Russia-North Korea trade volume surged ninefold in 2024.", "economic", False),
        ("По данным ФСБ, в прошлом году КНДР посетили 9985 граждан России.", "economic", False),
        ("지난해 북한을 방문한 러시아 관광객이 총 881명인 것으로 나타났습니다.", "economic", False),
        # ... an act of last year, or a figure of years ago, is a restatement.
        ("Russia and North Korea signed a trade agreement last year.", "economic", True),
        ("В прошлом году Россия и КНДР открыли железнодорожное сообщение.", "economic", True),
        ("작년 북한과 러시아는 관광 협력에 합의했다.", "economic", True),
        ("Russia-North Korea trade hit a record $34 million in 2022.", "economic", True),
    ],
)  # fmt: skip
def test_last_years_figure_is_a_report_and_last_years_act_background(
    sentence, category, background
):
    _, _, _, when, precision, told_background = read(sentence, category, date(2025, 6, 11))
    assert told_background is background
    if not background:
        assert (when, precision) == (date(2024, 1, 1), "year")


@pytest.mark.parametrize(
    ("sentence", "category", "action"),
    [
        ("Kim officially confirmed that troops fought for Russia in Kursk.", "military",
         "confirm_deployment"),
        ("Ukraine captured two North Korean soldiers fighting for Russia in Kursk.", "military",
         "captured"),
        ("North Korean missiles were fired at Kyiv by Russia, Ukraine said.", "military",
         "strike"),
        ("North Korea provided Russia with ballistic missiles, the White House said.",
         "military", "supply_arms"),
        ("North Korea has begun building a museum for its soldiers who fought for Russia.",
         "military", "honour_fallen"),
        ("Shoigu said North Korea will send 1,000 deminers to Russia's Kursk region.", "military",
         "send_engineers"),
        ("Pyongyang sent around 1,000 engineer troops to Kursk to remove mines.", "military",
         "send_engineers"),
        ("Russia and North Korea ratified the treaty.", "diplomatic", "ratify_treaty"),
        ("北, 러시아 파병 첫 확인 “김정은 명령 따라 참전”", "military", "confirm_deployment"),
        # only the two sides confirm: Seoul confirming the North's exports tells the exports
        ("한국 정부는 북한이 러시아에 자주포와 방사포를 수출했다고 공식 확인했다.", "military",
         "supply_arms"),
        ("Putin gifted Kim Jong Un 24 purebred horses.", "diplomatic", "gift"),
        ("러시아 학생들이 북한의 송도원 국제소년단 야영소에 입소했다.", "diplomatic", "exchange"),
        ("A Russian bank has released frozen assets of North Korea.", "economic", "finance"),
        ("Direct flights between Moscow and Pyongyang started on Sunday.", "economic",
         "transport_link"),
        ("Shoigu showed Kim Jong Un Russian strategic bombers and Kinzhal hypersonic missiles.",
         "military", "show_weapons"),
        ("Ким Чен Ын осмотрел российские стратегические бомбардировщики вместе с Шойгу.",
         "military", "show_weapons"),
        ("Россия отправила КНДР зенитные ракеты.", "military", "supply_arms"),
        ("Russia sent 447 goats to North Korea's Rason.", "economic", "trade"),
        ("Первый прямой авиарейс вылетел из Москвы в Пхеньян.", "economic", "transport_link"),
        ("North Korean builders will help Russia with reconstruction.", "labour",
         "send_workers"),
        ("북한 건설 노동자들이 러시아로 향했다.", "labour", "send_workers"),
        ("North Korea and Russia launch cooperation in high-tech development.", "technology",
         "transfer_technology"),
        ("북한과 러시아가 첨단기술 분야 협력을 시작했다.", "technology", "transfer_technology"),
        ("평양에서 북한과 러시아의 정보기술 전시회가 열렸다.", "technology", "transfer_technology"),
        ("Ким Чен Ын принял командиров, отличившихся в освобождении Курской области.",
         "military", "honour_fallen"),
        ("Russia allowed the release of millions of dollars in frozen North Korean assets.",
         "economic", "finance"),
        # payments settled in roubles, whatever the words (system, trade, 결제)
        ("Россия и КНДР работают над созданием системы расчетов в рублях.", "economic",
         "finance"),
        ("Russia and North Korea to trade in rubles amid surging international sanctions.",
         "economic", "finance"),
        ("러시아와 북한이 루블화 결제를 시작했다.", "economic", "finance"),
        ("РФ возобновила торговлю оружием с КНДР.", "military", "supply_arms"),
        ("North Korea is expected to send an additional 25,000 to 30,000 troops to Russia.",
         "military", "rotate_troops"),
        ("북한이 러시아에 최대 3만 명의 병력을 추가로 파병할 것으로 보인다.", "military",
         "rotate_troops"),
        ("Russian cargo ship Ursa Major carried two nuclear reactors for North Korea.",
         "technology", "transfer_technology"),
        # a sanctions round is a development of its own, whatever the designated did
        ("The US Treasury imposed sanctions on two Russian firms for facilitating arms "
         "transfers with North Korea.", "military", "designate"),
        ("정부는 러시아에 파병된 북한군 장성 3명을 대북 독자 제재 대상으로 지정했다.", "military",
         "designate"),
        # military builders under other names: not a supply of arms, nor a troop rotation
        ("КНДР отправила в Россию 5 тыс. строительных военных.", "military", "send_engineers"),
        ("북한 건설부대 5천여 명이 러시아로 순차 이동했다.", "military", "send_engineers"),
        # joint exercises, a Korean compound word
        ("국정원은 러시아가 북한에 연합군사훈련을 제안한 것으로 평가했다.", "military",
         "train_troops"),
    ],
)  # fmt: skip
def test_the_most_specific_action_names_the_development(sentence, category, action):
    assert read(sentence, category)[0] == action


def test_medicines_apples_and_beer_are_goods_of_their_own():
    _, objects, *_ = read("North Korean beer went on sale in Russia's Far East.", "economic")
    assert objects == ["consumer_goods"]
    _, objects, *_ = read("러시아 사업자가 북한 의약품 3종을 수입 신고했다.", "economic")
    assert objects == ["medicines"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Skibitsky said that the North has given 1.5 million shells to Russia since the summit "
        "between North Korean leader Kim Jong-un and Russian President Vladimir Putin.",
        "По его словам, после саммита Путина и Ким Чен Ына КНДР передала России 1,5 млн снарядов.",
        "그는 김정은과 푸틴의 정상회담 이후 북한이 러시아에 포탄 150만 발을 제공했다고 말했다.",
    ],
)
def test_a_summit_that_dates_a_supply_is_not_the_development(sentence):
    # the summit is the time; the sentence's development is the supply, though the summit's
    # category (diplomatic) leads
    reading = default_framebook().read_sentence(sentence, ["diplomatic", "military"], FRIDAY)
    assert reading.action.id == "supply_arms"


def test_the_seed_article_gives_four_developments_with_their_categories():
    path = seeds_dir() / "000_7bc7d1cde3bf7f1e.txt"
    title, body = path.read_text(encoding="utf-8").split("\n", 1)
    published = datetime(2025, 12, 20, tzinfo=UTC)
    raw = RawArticle(article_id="seed", title=title, body=body, published_at=published)
    frames = analyze_article(raw).events
    by_action = {f.action: f for f in frames}
    assert set(by_action) == {"letter", "share_cyber", "send_workers", "honour_fallen"}
    assert len(frames) == 4  # Medvedev's letter, "In it, ... recalled", goes on with the letters
    workers = by_action["send_workers"]
    assert workers.categories[:2] == ["labour", "military"]  # workers producing drones
    assert [(q.unit, q.value) for q in workers.quantities] == [("workers", 12000)]
    assert "tatarstan" in workers.places
    assert by_action["share_cyber"].russia_actors == ["gamaredon"]
    assert by_action["share_cyber"].dprk_actors == ["lazarus"]
    assert by_action["honour_fallen"].basis == "background"  # "As The Gaze reported earlier"
    assert by_action["letter"].basis == "report"


@pytest.mark.parametrize(
    "sentence",
    [
        "North Korea sent " + "9" * 400 + " troops to Russia.",
        "북한군 " + "9" * 5000 + "명 파병",
        "Yesterday North Korea sent troops to Russia.",
        "Last year North Korea sent troops to Russia.",
        "지난 31일 북한군이 러시아에 파병됐다.",
        "North Korea sent troops to Russia on 31 February 2024 and 0 June.",
    ],
)
def test_odd_numbers_and_dates_never_raise(sentence):
    for published in (date(1, 1, 1), date(9999, 12, 31), FRIDAY):
        read(sentence, "military", published)


def test_a_zero_publication_date_is_not_believed():
    raw = RawArticle(
        article_id="z", title="T", body="Yesterday North Korea sent troops to Russia's Kursk.",
        published_at=datetime(1, 1, 1, tzinfo=UTC), fetched_at=datetime(2025, 3, 7, tzinfo=UTC),
    )  # fmt: skip
    frames = analyze_article(raw).events
    assert frames and frames[0].event_date == date(2025, 3, 6)


@pytest.mark.parametrize(
    ("published", "day"),
    [
        # An archive report keeps its date: its event time is 1984's, not the day it is read
        # (and as Soviet-era history it gives no signal, so no frame).
        (datetime(1984, 5, 21, tzinfo=UTC), date(1984, 5, 21)),
        # The epoch is a missing time stamp written as 0, in any time zone: the fetch time counts.
        (datetime(1970, 1, 1, tzinfo=UTC), date(2025, 3, 7)),
        (datetime(1969, 12, 31, 19, tzinfo=UTC), date(2025, 3, 7)),
    ],
)
def test_archive_dates_are_believed_and_the_epoch_is_not(published, day):
    raw = RawArticle(
        article_id="a", title="T", body="Yesterday North Korea sent troops to Russia's Kursk.",
        published_at=published, fetched_at=datetime(2025, 3, 7, tzinfo=UTC),
    )  # fmt: skip
    analyzed = analyze_article(raw)
    assert datetime.fromtimestamp(event_time(analyzed), UTC).date() == day
    expected = [] if day.year < 1992 else [day - timedelta(days=1)]
    assert [f.event_date for f in analyzed.events] == expected


def test_an_article_of_the_soviet_era_is_history_and_gives_no_signal():
    # (a 1984 report of Kim Il Sung's talks in Ulan-Ude; today's Buryatia is Russia's)
    body = (
        "소련 방문길에 나선 북한의 김일성이 19일 소련의 울란우데시에 기착, 이곳에서 3명의 소련 "
        "관리들과 회담을 가졌다."
    )
    signals = {}
    for year in (1984, 2024):
        raw = RawArticle(
            article_id=f"s{year}", title="T", body=body,
            published_at=datetime(year, 5, 21, tzinfo=UTC),
            fetched_at=datetime(2025, 3, 7, tzinfo=UTC),
        )  # fmt: skip
        analyzed = analyze_article(raw)
        signals[year] = (analyzed.cooperation, [s.category for s in analyzed.signals])
    assert signals == {1984: (False, []), 2024: (True, ["diplomatic"])}


def test_the_last_31st_steps_back_over_months_without_one():
    assert read("지난 31일 북한군이 러시아에 파병됐다.", "military", date(2024, 5, 1))[3] == date(
        2024, 3, 31
    )


def test_days_of_a_month_are_not_quantities_and_items_are_not_people():
    assert read("On 12 June North Korean troops arrived in Kursk.", "military")[2] == []
    # (a day after its month too)
    quantities = read("On August 27, Russia sent 24 horses to North Korea.", "economic")[2]
    assert [(q["unit"], q["value"]) for q in quantities] == [("animals", 24)]
    quantities = read("2024년 10월 북한군 1만2000명이 러시아에 파병됐다.", "military")[2]
    assert [(q["unit"], q["value"]) for q in quantities] == [("troops", 12000)]
    assert read("북한은 러시아에 컨테이너 1만3000개를 보냈다.", "military")[2] == []


def test_the_headline_names_the_news_and_other_undated_developments_are_background():
    raw = RawArticle(
        article_id="h",
        title="Putin holds talks with North Korean Foreign Minister Choe Son Hui in Moscow",
        body="The meeting at the Kremlin lasted two hours.\n"
        "North Korea has sent about 10,000 troops to Russia, Washington says.",
        published_at=datetime(2024, 11, 5, tzinfo=UTC),
    )
    # The rules' frames (the learned filter, which judges whole categories, aside)
    frames = {f.action: f for f in analyze_article(raw, signal_filter=False).events}
    assert frames["summit"].basis == "report"
    assert frames["deploy_troops"].basis == "background"
    assert frames["deploy_troops"].event_date is None


def test_an_earlier_development_of_no_action_beside_the_news_is_its_own_frame():
    # The Gerasimov sentence has the category's cues but no action: it is not the monument's
    # news (another basis and month), so it does not join its frame.
    raw = RawArticle(
        article_id="monument",
        title="В России захотели установить памятник бойцам из Северной Кореи",
        body="В Курске захотели установить памятник бойцам из КНДР, участвовавшим в "
        "освобождении региона России.\n"
        "В апреле 2025 года начальник Генштаба Вооруженных сил России Валерий Герасимов "
        "доложил президенту РФ Владимиру Путину о завершении операции по освобождению "
        "Курской области и участии в операции военнослужащих из Северной Кореи.",
        published_at=datetime(2025, 12, 4, tzinfo=UTC),
    )
    frames = analyze_article(raw, signal_filter=False).events
    assert [(f.action, f.basis, f.event_date) for f in frames] == [
        ("honour_fallen", "report", date(2025, 12, 4)),
        ("military_other", "background", date(2025, 4, 1)),
    ]


def test_an_earlier_development_restated_beside_the_news_is_its_own_frame():
    raw = RawArticle(
        article_id="two-visits",
        title="Shoigu arrives in Pyongyang",
        body="Russian Security Council Secretary Sergei Shoigu met Kim Jong Un in Pyongyang "
        "on Wednesday.\n"
        "The talks covered the situation on the Korean Peninsula.\n"
        "Shoigu last visited North Korea in March, when he met Kim Jong Un for talks.",
        published_at=datetime(2025, 6, 4, tzinfo=UTC),
    )
    meetings = [f for f in analyze_article(raw).events if f.family == "meeting"]
    assert [(f.basis, f.event_date) for f in meetings] == [
        ("report", date(2025, 6, 4)),
        ("background", date(2025, 3, 1)),
    ]


def test_a_leaders_call_the_day_before_a_visit_is_not_the_visit():
    raw = RawArticle(
        article_id="visit-and-call",
        title="Volodin arrives in Pyongyang",
        body="State Duma Speaker Vyacheslav Volodin arrived in Pyongyang on an official visit "
        "to North Korea.\n"
        "The day before, Russian President Vladimir Putin and North Korean leader Kim Jong Un "
        "held a telephone conversation.",
        published_at=datetime(2025, 8, 13, tzinfo=UTC),
    )
    actions = {f.action: f for f in analyze_article(raw).events}
    assert {"summit", "phone_call"} <= set(actions)
    assert actions["phone_call"].russia_actors == ["putin"]
    assert "volodin" in actions["summit"].russia_actors
    assert "putin" not in actions["summit"].russia_actors


def test_a_sentence_opening_with_another_date_ends_the_run_of_its_family():
    # Right after the news, "In August, too, ..." tells of another gift: its own frame. The
    # news keeps its frame whichever sentence is the stronger signal.
    raw = RawArticle(
        article_id="two-gifts",
        title="Putin gifts Pyongyang zoo more than 70 animals",
        body="Russian President Vladimir Putin gave North Korea's central zoo more than 70 "
        "animals, including a lion, as a gift.\n"
        "In August, Putin also sent Kim Jong Un 24 Orlov trotter horses as a gift, and Kim "
        "Jong Un gave Putin two Pungsan dogs in return, showing their close relations.",
        published_at=datetime(2024, 11, 20, tzinfo=UTC),
    )
    gifts = [f for f in analyze_article(raw).events if f.family == "gift"]
    assert sorted((f.basis, f.event_date) for f in gifts) == [
        ("background", date(2024, 8, 1)),
        ("report", date(2024, 11, 20)),
    ]
    news = next(f for f in gifts if f.basis == "report")
    assert "70" in news.evidence


@pytest.mark.parametrize(
    ("sentence", "published", "when"),
    [
        (
            "지난여름에는 러시아 청소년들이 송도원 야영소를 방문했다.",
            date(2024, 9, 3),
            date(2024, 7, 1),
        ),
        (
            "Last summer Russian children visited the Songdowon camp.",
            date(2025, 5, 2),
            date(2024, 7, 1),
        ),
        ("Прошлой зимой российские туристы посетили КНДР.", date(2025, 2, 10), date(2024, 1, 1)),
        ("Прошлой зимой российские туристы посетили КНДР.", date(2025, 4, 10), date(2025, 1, 1)),
    ],
)
def test_last_summer_and_last_winter_are_the_latest_ones_over(sentence, published, when):
    category = "diplomatic" if "children" in sentence or "청소년" in sentence else "economic"
    assert read(sentence, category, published)[3:5] == (when, "month")


@pytest.mark.parametrize(
    "sentence",
    [
        "North Korea has sent 5,000 more troops to Russia, Seoul's spy agency told lawmakers.",
        "По данным южнокорейской разведки, КНДР отправила в Россию еще 5000 военных.",
        "국가정보원은 국회 정보위원회에 북한이 러시아에 병력 5천명을 추가 파병했다고 보고했다.",
    ],
)
def test_the_source_of_a_report_is_not_the_field_of_its_development(sentence):
    # Seoul's intelligence service briefing its lawmakers tells the news; the troops are not
    # a security or parliamentary delegation.
    objects = read(sentence, "military")[1]
    assert "security" not in objects and "parliament" not in objects


def test_a_parliamentary_or_security_delegation_has_its_field():
    objects = read(
        "A State Duma delegation met North Korean officials in Pyongyang.", "diplomatic"
    )[1]
    assert "parliament" in objects
    objects = read("Делегация спецслужб России прибыла в Пхеньян.", "diplomatic")[1]
    assert "security" in objects


@pytest.mark.parametrize(
    "sentence",
    [
        "A delegation of North Korea's Socialist Patriotic Youth League arrived in Vladivostok.",
        "Делегация молодежи КНДР прибыла во Владивосток.",
        "북한 청년 대표단이 러시아 방문을 마치고 평양으로 돌아왔다.",
    ],
)
def test_a_youth_delegation_is_the_youth_field(sentence):
    # (not a ministry's delegation of the same week)
    assert read(sentence, "diplomatic")[1] == ["youth"]


@pytest.mark.parametrize(
    "sentence",
    [
        "North Korea's women's hockey team trained with a Russian club in Krasnoyarsk.",
        "Сборные России и КНДР по настольному теннису провели совместные сборы во Владивостоке.",
        "북한 여자 하키 선수단이 러시아 크라스노야르스크에서 합동 훈련을 했다.",
        "Юношеские команды по хоккею Приморья и КНДР провели товарищеский матч в Пхеньяне.",
    ],
)
def test_a_team_sport_is_the_sport_field(sentence):
    # Teams are named by their sport, not by the word "sport": a hockey team's visit is of the
    # sport field, so it is not the same day's visit of another field.
    assert "sport" in read(sentence, "diplomatic")[1]


@pytest.mark.parametrize(
    "sentence",
    [
        "북한 권투 대표단은 지난 5일부터 러시아에서 훈련 중이다.",
        "Российские игроки в настольный теннис провели тренировочный сбор в КНДР.",
        "North Korea's skaters held joint training with Russian athletes in Ussuriysk.",
    ],
)
def test_a_teams_camp_is_a_sports_development_not_a_visit(sentence):
    # a delegation that trains is the camp: its own family, apart from the visits of the week
    assert read(sentence, "diplomatic")[0] == "sports"


@pytest.mark.parametrize(
    "sentence",
    [
        "A Russian military aircraft landed in Pyongyang, NK News reported.",
        "러시아 군용기가 평양 순안공항에 도착했다.",
    ],
)
def test_a_military_plane_landing_is_a_flight_not_a_visit(sentence):
    assert read(sentence, "military")[0] == "military_flight"


def test_a_sports_ministers_visit_stays_a_visit():
    sentence = "Russian Sports Minister Degtyarev arrived in Pyongyang for talks on sports."
    assert read(sentence, "diplomatic")[0] == "summit"


def test_a_guided_missile_is_not_judo():
    # 유도 (judo) begins 유도탄 (guided missile): the sport is left out of the Korean words.
    assert "sport" not in read("북한이 러시아에 유도탄을 공급했다.", "military")[1]


@pytest.mark.parametrize(
    "body",
    [
        "Russian Defence Minister Andrei Belousov arrived in Pyongyang and met Kim Jong Un.",
        "Военная делегация России прибыла в Пхеньян для переговоров с КНДР.",
        "북한 국방성 대표단이 러시아를 방문해 회담했다.",
        # Kim Il Sung Military University (not Kim Il Sung University) is of the defence field.
        "북한 김일성군사종합대학 대표단이 러시아를 방문했다.",
        "A North Korean military school delegation departed for Russia for talks.",
    ],
)
def test_a_visit_of_the_defence_field_is_military_too(body):
    raw = RawArticle(
        article_id="d", title="T", body=body, published_at=datetime(2024, 11, 29, tzinfo=UTC),
        fetched_at=datetime(2024, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    meetings = [f for f in analyze_article(raw).events if f.family == "meeting"]
    assert meetings and {"diplomatic", "military"} <= set(meetings[0].categories)


def test_a_visit_of_another_field_is_not_military():
    raw = RawArticle(
        article_id="h", title="T",
        body="Russia's health minister arrived in Pyongyang and met North Korean officials.",
        published_at=datetime(2024, 11, 29, tzinfo=UTC),
        fetched_at=datetime(2024, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    meetings = [f for f in analyze_article(raw).events if f.family == "meeting"]
    assert meetings and "military" not in meetings[0].categories


@pytest.mark.parametrize(
    ("body", "military"),
    [
        ("Putin signed the law ratifying the Comprehensive Strategic Partnership treaty with "
         "North Korea.", True),
        ("Путин и Ким Чен Ын подписали закон о ратификации Договора о всеобъемлющем "
         "стратегическом партнерстве между Россией и КНДР.", True),
        ("러시아 하원이 북한과의 포괄적 전략적 동반자 관계 조약을 비준했다.", True),
        ("Russia's parliament ratified an extradition treaty with North Korea.", False),
    ],
)  # fmt: skip
def test_the_mutual_defence_treaty_is_a_military_development_too(body, military):
    raw = RawArticle(
        article_id="t", title="T", body=body, published_at=datetime(2024, 11, 29, tzinfo=UTC),
        fetched_at=datetime(2024, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    events = analyze_article(raw, signal_filter=False).events
    frames = [f for f in events if f.family == "ratification"]
    assert frames and "diplomatic" in frames[0].categories, [f.family for f in events]
    assert ("military" in frames[0].categories) is military


@pytest.mark.parametrize(
    ("body", "family", "categories"),
    [
        ("A North Korean agriculture delegation arrived in Moscow for talks with Russia.",
         "meeting", {"diplomatic", "economic"}),
        ("Торговая делегация КНДР прибыла во Владивосток на переговоры с Россией.",
         "meeting", {"diplomatic", "economic"}),
        ("북한과 러시아의 정부간 위원회 회의가 평양에서 열렸다.", None, {"diplomatic", "economic"}),
        ("Глава Минэнерго России встретился с министром КНДР, обсудив модернизацию ТЭЦ.",
         "meeting", {"diplomatic", "economic"}),
        ("북한 전력공업상이 러시아에너지주간 참가를 위해 러시아를 방문했다.", "meeting",
         {"diplomatic", "economic"}),
    ],
)  # fmt: skip
def test_a_visit_of_an_economic_field_and_the_commission_are_economic_too(body, family, categories):
    raw = RawArticle(
        article_id="e", title="T", body=body, published_at=datetime(2024, 11, 29, tzinfo=UTC),
        fetched_at=datetime(2024, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    # The frames of the rules' signals (the learned filter's keep-or-drop of a one-sentence
    # article is not what this checks)
    events = analyze_article(raw, signal_filter=False).events
    frames = [f for f in events if family is None or f.family == family]
    assert frames and categories <= set(frames[0].categories), [f.categories for f in frames]


@pytest.mark.parametrize(
    "sentence",
    [
        "러시아가 1년에 염소 1000마리씩 북한에 공급하겠다는 3년짜리 장기 계약을 체결했다.",
        "Leningrad region signed a three-year contract to supply 1,000 goats a year to North "
        "Korea.",
    ],
)
def test_a_supply_contract_is_its_own_development_not_a_shipment(sentence):
    action, objects, *_ = read(sentence, "economic")
    assert action == "sign_supply_contract" and "livestock" in objects


def test_horses_shipped_are_livestock_traded():
    action, objects, *_ = read("Татарский конный завод поставил 21 лошадь в КНДР.", "economic")
    assert (action, objects) == ("trade", ["livestock"])


@pytest.mark.parametrize(
    ("sentence", "claimants"),
    [
        ("North Korea has transferred a significant amount of artillery ammunition to Russia, "
         "according to Budanov.", ("ukraine",)),
        ("White House: North Korea recently provided Russia with ballistic missiles.",
         ("united_states",)),
        ("По данным южнокорейской разведки, КНДР поставила России миллионы снарядов.",
         ("rok_intelligence",)),
        ("국정원은 북한이 러시아에 포탄을 공급했다고 밝혔다.", ("rok_intelligence",)),
        ("РФ возобновила торговлю оружием с КНДР: СМИ показали спутниковые снимки",
         ("open_sources",)),
        # South Korea's defence minister and Ukraine's prosecutors assess too
        ("South Korean Defense Minister Shin Won-sik said North Korea had shipped about 5,000 "
         "containers of munitions to Russia.", ("rok_defence",)),
        ("신원식 국방부 장관은 북한이 러시아에 컨테이너 6700여개 규모 포탄을 보낸 것 "
         "같다고 밝혔다.", ("rok_defence",)),
        ("Россия обстреливала северокорейскими ракетами шесть регионов Украины – прокуратура",
         ("ukraine",)),
        # Whole words only: no "СМИ" in "космических", no claimant at all.
        ("КНДР поставила России ракеты для космических запусков.", ()),
        ("North Korea shipped shells to Russia.", ()),
    ],
)  # fmt: skip
def test_a_sentence_names_who_it_attributes_the_development_to(sentence, claimants):
    reading = default_framebook().read_sentence(sentence, ["military"], FRIDAY)
    assert reading.claimants == claimants


@pytest.mark.parametrize(
    "sentence",
    [
        "A DPRK delegation led by Minister of IT Industry Ju Yong Il left for the Eurasia IT "
        "forum in Moscow.",
        "Делегация Минцифры России прибыла в Пхеньян на выставку информационных технологий.",
        "러시아 디지털개발통신언론부 차관이 이끄는 대표단이 평양의 정보기술 전시회에 참석했다.",
    ],
)
def test_information_technology_is_a_field_of_meetings_and_of_the_technology_category(sentence):
    # The IT minister's trip is not the same week's party delegation (the field tells them
    # apart), and a development of the field is technology cooperation too.
    assert "digital" in read(sentence, "diplomatic")[1]
    [frame] = analyze_article(
        RawArticle(article_id="it1", title="Delegation", body=sentence, source="kcna",
                   published_at=datetime(2024, 2, 20, tzinfo=UTC)),
        signal_filter=False,  # the rules' frame, whatever the filter makes of one sentence
    ).events  # fmt: skip
    assert "technology" in frame.categories


@pytest.mark.parametrize(
    ("sentence", "is_letter"),
    [
        ("The rectors of North Korea's leading universities will take part in the forum, the "
         "Russian embassy reported on Telegram.", False),
        ("[이코노믹포스트=양승진 북한 전문기자] 벨로우소프 국방장관이 방북 일정을 마치고 귀국했다.",
         False),
        ("러시아 외교관 양성 전문 대학교 학생들이 북한에 입국했다.", False),
        ("김정은 위원장이 푸틴 대통령에게 축하 전문을 보냈다.", True),
        ("Kim Jong Un sent a congratulatory telegram to Putin.", True),
        ("Ким Чен Ын направил Путину поздравительную телеграмму.", True),
    ],
)  # fmt: skip
def test_telegram_channels_and_experts_are_no_letters(sentence, is_letter):
    assert (read(sentence, "diplomatic")[0] == "letter") is is_letter


@pytest.mark.parametrize(
    ("sentence", "category", "action", "objects"),
    [
        # 부상 is a vice minister in the North's titles; the wounded are still combat.
        ("교육성 부상이 이끄는 대표단이 도착했다.", "military", "military_other", ["education"]),
        ("북한군 병사 3명이 부상을 입었다.", "military", "combat", []),
        ("우크라이나군과의 전투에서 부상자가 나왔다.", "military", "combat", []),
        # 의사를 밝혔다: an intention, not a doctor.
        ("북한은 러시아와 협력할 의사를 밝혔다.", "diplomatic", "diplomatic_other", []),
        # 경유해: via, not diesel; 항구적: lasting, not a port.
        ("러시아 화물선이 나진항을 경유해 블라디보스토크로 갔다.", "economic", "trade", []),
        ("러시아는 북한에 경유를 공급했다.", "economic", "economic_other", ["oil"]),
        ("양국은 항구적인 협력을 약속했다.", "economic", "economic_other", []),
        ("러시아 화물선이 북한 항구에 입항했다.", "economic", "transport_link", []),
    ],
)  # fmt: skip
def test_korean_cues_that_begin_other_words_are_read_by_their_endings(
    sentence, category, action, objects
):
    found = read(sentence, category)
    assert (found[0], found[1]) == (action, objects)


@pytest.mark.parametrize(
    ("sentence", "action"),
    [
        ("A group of Russian tourists visited Pyongyang on Friday.", "tourism"),
        ("러시아 관광단, 내달 원산 갈마 해안관광지구 첫 방문 예정", "tourism"),
        ("Группа российских туристов посетила Пхеньян.", "tourism"),
        # Talks about tourism are talks; a delegation's visit is a visit.
        ("Putin met Kim in Pyongyang and discussed tourism.", "summit"),
        ("A Russian delegation visited Pyongyang on Friday.", "summit"),
    ],
)
def test_a_visit_by_tourists_is_a_tour(sentence, action):
    reading = default_framebook().read_sentence(sentence, ["diplomatic", "economic"], FRIDAY)
    assert reading.action.id == action


def _sender_of(text: str, published: date = FRIDAY) -> str | None:
    raw = RawArticle(
        article_id="msg",
        title=text,
        body="",
        published_at=datetime(published.year, published.month, published.day, tzinfo=UTC),
    )
    frames = [f for f in analyze_article(raw, signal_filter=False).events if f.family == "message"]
    assert frames, text
    return frames[0].sender


@pytest.mark.parametrize(
    ("text", "sender"),
    [
        ("Russian President Vladimir Putin congratulated Kim Jong Un on the DPRK's founding day",
         "russia"),
        ("North Korean leader Kim Jong Un sent a New Year's letter to Russian President "
         "Vladimir Putin", "dprk"),
        ("Putin's letter to Kim Jong Un praised the alliance", "russia"),
        ("Ким Чен Ын поздравил Путина с Днём Победы", "dprk"),
        ("Путину направил телеграмму Ким Чен Ын по случаю Нового года", "dprk"),
        ("Ким Чен Ын получил поздравление от Путина", "russia"),
        ("김정은, 러 국경일 맞아 푸틴에 축전", "dprk"),
        ("푸틴에게 축전 보낸 김정은 “정의는 반드시 승리”", "dprk"),
        ("푸틴 대통령이 김정은 국무위원장에게 새해 축전을 보냈다", "russia"),
        ("김정은, 푸틴에게서 광복절 축전 받아", "russia"),
        ("김정은, 푸틴과 광복절 축전 교환", None),
        ("Putin and Kim Jong Un exchanged greetings on Liberation Day", None),
    ],
)  # fmt: skip
def test_a_message_knows_which_side_sent_it(text, sender):
    assert _sender_of(text) == sender


def test_only_messages_and_gifts_have_a_sender():
    raw = RawArticle(
        article_id="visit",
        title="Russian Defence Minister Belousov arrives in Pyongyang for talks with Kim Jong Un",
        body="",
        published_at=datetime(2024, 11, 29, tzinfo=UTC),
    )
    events = analyze_article(raw, signal_filter=False).events
    assert events
    assert all(f.sender is None for f in events)


def test_a_dateline_a_day_after_the_pages_date_is_that_day_not_last_years():
    # A wire story dated in Seoul, a day ahead of the page's UTC date.
    assert read("SEOUL, Dec 25 (Reuters) - Putin sent Kim a New Year message.", "diplomatic",
                date(2025, 12, 24))[3] == date(2025, 12, 25)  # fmt: skip
    assert read("SEOUL, Dec 23 (Reuters) - Putin sent Kim a New Year message.", "diplomatic",
                date(2025, 12, 24))[3] == date(2025, 12, 23)  # fmt: skip


def test_words_of_a_phrase_may_stand_in_quotes():
    # Russia's national day, written "러시아의 ‘국경절’", is Russia Day, not the North's.
    sentence = "김정은 위원장은 러시아의 ‘국경절’을 계기로 푸틴에게 축전을 보냈다."
    assert read(sentence, "diplomatic")[1] == ["russia_day"]


@pytest.mark.parametrize(
    ("sentence", "category", "action", "objects"),
    [
        # Words between the verb and its object or "for the first time".
        ("Ukrainian forces have captured an injured North Korean soldier, the first such "
         "incident since North Korea sent troops.", "military", "captured", []),
        ("North Korea confirmed on Monday for the first time it had deployed troops to Russia.",
         "military", "confirm_deployment", []),
        # 식량난 (a food shortage) is the shipment's reason, not its goods.
        ("식량난을 겪고 있는 북한이 러시아산 염소 447마리를 수입했다.", "economic", "trade",
         ["livestock"]),
        ("러시아가 북한에 식량 지원을 약속했다.", "economic", "trade", ["grain_food"]),
        # wheat (밀을), not closeness (밀착)
        ("러시아가 북한에 밀을 수출했다.", "economic", "trade", ["grain_food"]),
        ("북러 밀착 속에 러시아가 북한과의 교역을 늘렸다.", "economic", "trade", []),
        ("러시아가 북한에 소를 수출하기 시작했다.", "economic", "trade", ["livestock"]),
        # a clause describing the receiver names no action of the development
        ("North Korea has delivered the first weapons ship to Russia's Wagner Group, which is "
         "fighting alongside the Russian military.", "military", "supply_arms", []),
        # parcels by post: a route of their own
        ("Почта России возобновила отправку посылок в Северную Корею.", "economic",
         "transport_link", ["post"]),
    ],
)  # fmt: skip
def test_an_action_and_its_goods_are_read_past_words_between_and_a_reason(
    sentence, category, action, objects
):
    found = read(sentence, category)
    assert (found[0], found[1]) == (action, objects)


@pytest.mark.parametrize(
    ("sentence", "first"),
    [
        # "A 이어 B": B, after A, is the sentence's own occasion
        ("김정은, 푸틴 취임 이어 전승절 축하…새로운 승리 거두길", "victory_day"),
        ("Kim Jong Un congratulated Putin on Victory Day after his inauguration.", "victory_day"),
        ("По случаю Дня образования Российской Федерации Ким Чен Ын поздравил Путина.",
         "russia_day"),
    ],
)  # fmt: skip
def test_the_occasion_of_a_greeting_is_the_sentences_own(sentence, first):
    assert read(sentence, "diplomatic")[1][0] == first


def test_tankers_are_no_tanks_and_a_plenary_session_is_no_capture():
    # "танкеры" began like "танк*", "пленарной" like "плен*"
    assert "tanks_vehicles" not in read("Российские танкеры доставили нефть в КНДР.", "economic")[1]
    assert read("На пленарной сессии Россия и КНДР обсудили оборону.", "military")[0] != "captured"


def test_hospitality_is_no_health_field_and_instructions_no_training():
    # "hospitality" began like "hospital*", "instructions" like "instruct*"
    sentence = "Kim thanked Putin for the warm hospitality on his instructions."
    action, objects, *_ = read(sentence, "diplomatic")
    assert "health" not in objects
    assert (
        read("Kim gave instructions to the delegation in Moscow.", "military")[0] != "train_troops"
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "쇼이구 장관은 6·25전쟁 정전협정 체결일(7월 27일) 70주년을 맞아 방북해 "
        "김정은 위원장을 만났다.",
        "Shoigu traveled to Pyongyang to mark the anniversary of the armistice signing.",
    ],
)
def test_the_armistice_signing_that_names_the_day_marked_is_no_signing(sentence):
    assert read(sentence, "diplomatic")[0] == "summit"


@pytest.mark.parametrize(
    "sentence",
    [
        "러시아 국가회의대표단이 조국해방 80주년에 즈음하여 8월 14일부터 축하 방문한다.",
        "The Duma delegation paid a congratulatory visit to Pyongyang for Liberation Day.",
        # condolences offered in person
        "Ким Чен Ын пришел в российское посольство, чтобы выразить соболезнования.",
        "김정은 위원장이 러시아 대사관을 찾아 조문했다.",
        "Kim Jong Un came to the embassy to offer his condolences.",
    ],
)
def test_a_visit_to_congratulate_is_a_visit_not_a_message(sentence):
    assert read(sentence, "diplomatic")[0] == "summit"


def test_a_telegram_of_condolence_is_a_message():
    assert read("김정은 위원장은 푸틴 대통령에게 조문 전문을 보냈다.", "diplomatic")[0] == "letter"


@pytest.mark.parametrize(
    "sentence",
    [
        "북한 김정은 국무위원장이 푸틴 러시아 대통령에게 새해를 맞아 연하장을 보냈다.",
        "Ким Чен Ын направил Путину новогоднюю открытку.",
        "Kim Jong Un sent Putin a New Year card.",
    ],
)
def test_new_year_cards_are_messages(sentence):
    assert read(sentence, "diplomatic")[0] == "letter", sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "The DPRK embassy in Moscow hosted a reception on October 17 to mark the 77th "
        "anniversary of diplomatic relations with Russia.",
        "19 июня МИД КНДР и посольство РФ устроили совместный прием по случаю годовщины договора.",
        "북한 외무성은 러시아와의 수교 77주년을 맞아 평양에서 기념 연회를 마련했다.",
    ],
)
def test_an_anniversary_reception_is_a_reception_not_a_visit(sentence):
    assert read(sentence, "diplomatic")[0] == "reception", sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Северокорейские русисты, медики и дипломаты прошли стажировку в Москве.",
        "North Korean doctors began internships at Russian clinics.",
        "북한 의사들이 러시아 병원에서 연수를 받았다.",
    ],
)
def test_an_internship_at_the_other_sides_institutions_is_an_exchange(sentence):
    assert read(sentence, "diplomatic")[0] == "exchange", sentence


def _messages(title: str, body: str, day: date, action: str = "letter") -> list:
    raw = RawArticle(
        article_id="m", title=title, body=body,
        published_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        fetched_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
    )  # fmt: skip
    return [f for f in analyze_article(raw).events if f.action == action]


def test_another_senders_message_of_the_same_side_is_its_own_development():
    messages = _messages(
        "Putin sends Kim Jong Un congratulations on DPRK Foundation Day",
        "The Russian president wished the Korean people well. Dmitry Medvedev also sent a "
        "congratulatory telegram to Kim Jong Un.",
        date(2024, 9, 8),
    )
    assert [f.russia_actors for f in messages] == [["putin"], ["medvedev"]]


def test_a_message_told_again_naming_no_other_sender_stays_one_development():
    # (the party's paper is no sender: people only)
    messages = _messages(
        "Kim Jong Un sends Putin birthday greetings",
        "The Rodong Sinmun, the Workers' Party newspaper, said the leader sent Putin a "
        "congratulatory telegram on his birthday.",
        date(2024, 10, 8),
    )
    assert len(messages) == 1


def test_a_meeting_of_other_people_on_both_sides_is_another_development():
    meetings = _messages(
        "В Москве начались переговоры Лаврова с главой МИД КНДР Чо Сон Хи",
        "Ким Чен Ын встретился в Пхеньяне с зампредом Совбеза России Дмитрием Медведевым.",
        date(2025, 10, 27),
        "summit",
    )
    assert [(f.russia_actors, f.dprk_actors) for f in meetings] == [
        (["lavrov"], ["choe_son_hui"]),
        (["medvedev", "rus_security_council"], ["kim_jong_un"]),
    ]


def test_a_meeting_told_again_with_one_side_the_same_stays_one_development():
    meetings = _messages(
        "Lavrov holds talks with Choe Son Hui in Moscow",
        "Putin also received Choe Son Hui at the Kremlin.",
        date(2025, 10, 27),
        "summit",
    )
    assert len(meetings) == 1


def test_a_visit_dated_a_week_before_the_news_of_another_is_its_own_development():
    # Visits last days: a delegation that arrived eight days before the minister's announced
    # trip is another visit, though other developments of a family run for two weeks.
    visits = _messages(
        "Глава МИД Северной Кореи посетит Россию",
        "17 октября в Россию прилетела парламентская делегация Северной Кореи.",
        date(2025, 10, 25),
        "summit",
    )
    assert [(f.event_date, f.objects) for f in visits] == [
        (date(2025, 10, 25), []),
        (date(2025, 10, 17), ["parliament"]),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "North Korea held a welcoming ceremony for engineer troops who returned home from "
        "Russia's Kursk region after a mine clearance mission.",
        "Солдаты 528-го инженерно-саперного полка вернулись в КНДР после выполнения боевого "
        "задания в Курской области, их встретил лично Ким Чен Ын.",
        "러시아 쿠르스크에 파병돼 지뢰 제거에 투입됐던 북한 공병부대가 "
        "귀국해 김정은 위원장의 환영을 받았다.",
    ],
)
def test_troops_coming_home_are_their_return_not_their_dispatch(sentence):
    assert read(sentence, "military")[0] == "troops_return", sentence


def test_a_visitor_leaving_for_home_is_no_return_of_troops():
    sentence = (
        "이후 벨로우소프 장관은 평양 순안공항에서 노광철 국방상의 환송을 받으며 "
        "귀국길에 올랐습니다."
    )
    assert read(sentence, "military")[0] != "troops_return"


@pytest.mark.parametrize(
    "sentence",
    [
        "Hundreds of Russian soldiers wounded in Ukraine are undergoing rehabilitation in North "
        "Korean hospitals, Russia's ambassador in Pyongyang said.",
        "Раненные российские бойцы проходят реабилитацию в санаториях КНДР.",
        "우크라이나에서 다친 러시아군 수백 명이 북한 요양원과 의료시설에서 회복 중이다.",
    ],
)
def test_the_other_sides_wounded_treated_are_their_treatment_not_the_fighting(sentence):
    assert read(sentence, "military")[0] == "treat_wounded", sentence


def test_a_leg_hurt_is_no_bridge():
    sentence = "파편에 다리를 다친 러시아 군인은 북한 원산의 요양 시설에 머물렀다."
    assert "road_bridge" not in read(sentence, "military")[1]
    assert "road_bridge" in read("북한과 러시아를 잇는 두만강 다리를 건설한다.", "economic")[1]


def test_state_television_on_a_russian_satellite_is_a_broadcasting_link():
    sentence = "North Korea switches its TV broadcast from Chinese to Russian satellite."
    assert read(sentence, "technology")[1][0] == "broadcast_satellite"


@pytest.mark.parametrize(
    "sentence",
    [
        "В Москве состоялась премьера документального фильма «Корейский спецназ».",
        "러시아 영화 '도전'이 북한에서 개봉한 것으로 확인됐다.",
    ],
)
def test_a_film_premiered_or_screened_is_an_exchange(sentence):
    assert read(sentence, "diplomatic")[0] == "exchange", sentence


def test_a_minister_back_from_talks_and_workers_sent_are_no_return_or_broadcast():
    # a visiting minister returning ends his visit; 송출 sends workers as well as signals
    back = "North Korean defence minister returned from Moscow after talks with Belousov."
    assert read(back, "military")[0] != "troops_return"
    assert (
        "broadcast_satellite" not in read("북한은 러시아로 IT 인력 송출을 늘렸다.", "technology")[1]
    )


@pytest.mark.parametrize(
    ("sentence", "objects"),
    [
        ("Российское судно Ursa Major перевозило ядерные реакторы для КНДР.", ["submarine"]),
        ("러시아 화물선이 북한으로 향하는 핵추진잠수함용 원자로를 운반하고 있었다.", ["submarine"]),
        ("A sunken Russian cargo ship was carrying two nuclear reactors bound for North Korea.",
         ["submarine"]),
    ],
)  # fmt: skip
def test_reactors_for_the_norths_submarines_are_a_technology_transfer(sentence, objects):
    action, found, *_ = read(sentence, "technology")
    assert action == "transfer_technology" and found[: len(objects)] == objects


@pytest.mark.parametrize(
    "sentence",
    [
        # a direct train (one Korean word) on the world's longest route: a train, no flight
        "평양-모스크바 직통열차는 세계 최장거리 노선으로 매월 3일과 17일 평양에서 출발한다.",
        "북한과 러시아를 잇는 국제열차 운행이 재개됐다.",
    ],
)
def test_a_korean_direct_train_is_a_railway_not_a_flight(sentence):
    objects = read(sentence, "economic")[1]
    assert "railway" in objects and "flights" not in objects


def test_a_tourist_train_is_tourism_and_a_route_flown_a_flight():
    assert read("러시아 관광열차가 처음으로 북한 나선에 도착했다.", "economic")[:2] == (
        "tourism",
        ["tourists"],
    )
    assert "flights" in read("노드윈드항공이 모스크바-평양 노선 운항을 시작했다.", "economic")[1]


def test_a_visit_of_five_days_told_by_its_end_and_its_talks_is_one_development():
    visits = _messages(
        "Ким Чен Ын завершил визит в Россию",
        "13 сентября он провел переговоры с Путиным на космодроме Восточный.",
        date(2023, 9, 18),
        "summit",
    )
    assert len(visits) == 1


def test_an_intercontinental_missile_written_as_one_korean_word_is_a_ballistic_missile():
    found = read(
        "북한이 공개한 대륙간탄도미사일(ICBM) 화성-20형은 러시아 기술을 받았다.", "technology"
    )[1]
    assert "ballistic_missiles" in found


@pytest.mark.parametrize(
    "sentence",
    [
        "В ноябре в Москве побывал специальный посланник Ким Чен Ына.",
        "Лидер КНДР Ким Чен Ын приедет в Россию во второй половине апреля.",
    ],
)
def test_a_russian_visit_told_by_побывал_or_приедет_is_a_summit(sentence):
    assert read(sentence, "diplomatic")[0] == "summit"


@pytest.mark.parametrize(
    "sentence, action",
    [
        ("모스크바 러시아 장식미술관에서 ‘조선민주주의인민공화국 미술전’이 열렸다.", "exchange"),
        ("평양 국제문화회관에서 러시아 사진전이 개막했다.", "exchange"),
        # art experts or photo journalists visiting: a visit, no exhibition
        ("러시아 미술전문가 대표단이 평양을 방문했다.", "summit"),
        ("북한 사진전문 기자단이 모스크바를 방문했다.", "summit"),
    ],
)
def test_a_korean_art_or_photo_exhibition_is_an_exchange_its_experts_visiting_a_visit(
    sentence, action
):
    assert read(sentence, "diplomatic")[0] == action
