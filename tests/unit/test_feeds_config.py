"""Feed lists: the shipped one loads, and mistakes are reported with where and how to fix."""

from __future__ import annotations

import pytest

from axiswatch.exceptions import InputError
from axiswatch.settings import project_root
from producers.feeds import MIN_INTERVAL, load_feeds


def write(tmp_path, text: str):
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_feed_list_loads_with_the_subjects_sources():
    feeds = load_feeds(project_root() / "seeds" / "feeds.toml")
    names = {f.name for f in feeds}
    assert {"38north", "nknews", "dailynk-en", "yonhap-nk-en", "tass-en", "tass-ru"} <= names
    assert {"meduza-en", "therecord"} <= names
    assert all(f.url.startswith("https://") for f in feeds)
    assert all(f.interval >= MIN_INTERVAL and f.tags for f in feeds)
    assert {f.lang for f in feeds} >= {"en", "ru", "ko"}
    tass = {f.name: f for f in feeds}["tass-ru"]
    assert tass.source_name == "TASS" and tass.timeout == 20


def test_defaults_apply_and_feed_values_override_them(tmp_path):
    path = write(
        tmp_path,
        """
[defaults]
interval = 600
timeout = 5
[[feeds]]
name = "a"
url = "https://a.example.org/feed"
[[feeds]]
name = "b"
url = "https://b.example.org/feed"
interval = 3600
lang = "KO"
tags = ["dprk"]
""",
    )
    a, b = load_feeds(path)
    assert (a.interval, a.timeout, a.lang, a.tags, a.source_name) == (600, 5, None, (), "a")
    assert (b.interval, b.lang, b.tags) == (3600, "ko", ("dprk",))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[feeds]]\nname = "a"\n', "url is missing"),
        ('[[feeds]]\nname = "A B"\nurl = "https://x.org"\n', "lowercase slug"),
        ('[[feeds]]\nname = "a"\nurl = "ftp://x.org/f"\n', "not an http"),
        ('[[feeds]]\nname = "a"\nurl = "https://x.org"\ninterval = 5\n', "below the 60s minimum"),
        ('[[feeds]]\nname = "a"\nurl = "https://x.org"\nintervall = 600\n', "unknown key"),
        ('[[feeds]]\nname = "a"\nurl = "https://x.org"\ntags = "dprk"\n', "tags must be a list"),
        (
            '[[feeds]]\nname = "a"\nurl = "https://x.org"\n[[feeds]]\nname = "a"\nurl = "https://y.org"\n',
            "used twice",
        ),
        ('[[feeds]]\nname = "a"\nurl = "file:///tmp/f.xml"\n', "--allow-file"),
        ("[feed]\nname = 1\n", "unknown top-level"),
        ("feeds = []\n", "no feeds"),
        ("[[feeds]\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_feed_and_the_fix(tmp_path, body, message):
    with pytest.raises(InputError, match=message) as info:
        load_feeds(write(tmp_path, body))
    assert str(tmp_path / "feeds.toml") in str(info.value)


def test_file_feeds_load_with_the_flag(tmp_path):
    path = write(tmp_path, '[[feeds]]\nname = "local"\nurl = "file:///tmp/f.xml"\n')
    assert load_feeds(path, allow_file=True)[0].url == "file:///tmp/f.xml"


def test_a_missing_list_says_how_to_point_elsewhere(tmp_path):
    with pytest.raises(InputError, match="--feeds FILE"):
        load_feeds(tmp_path / "nope.toml")


def test_poll_command_reports_a_bad_list_before_touching_kafka(tmp_path, capsys):
    from axiswatch.cli import main

    path = write(tmp_path, '[[feeds]]\nname = "a"\nurl = "https://x.org"\ninterval = 1\n')
    assert main(["poll", "--once", "--feeds", str(path), "--bootstrap", "127.0.0.1:1"]) == 2
    assert "interval 1s is below the 60s minimum" in capsys.readouterr().err
    assert main(["poll", "--json", "--feeds", str(path)]) == 2
    assert "--json goes with --status" in capsys.readouterr().err


def test_poll_help_teaches_the_options(capsys):
    from axiswatch.cli import main

    with pytest.raises(SystemExit):
        main(["poll", "--help"])
    out = capsys.readouterr().out
    for option in ("--feeds", "--once", "--status", "--metrics-port", "--allow-file", "--tag"):
        assert option in out
    assert "feeds.state" in out and "seeds/feeds.toml" in out
