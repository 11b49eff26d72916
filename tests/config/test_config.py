"""Config loading: the example is valid, and every mistake names its file, line and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from brandpulse.store.errors import ConfigError

from brandpulse import collectors
from brandpulse.commands.init import example_config
from brandpulse.config import Secrets, load_config, parse_config

VALID = """\
[settings]
timezone = "Europe/Paris"

[[brands]]
name = "Acme"
keywords = ["Acme"]

[[competitors]]
name = "Globex"

[[campaigns]]
name = "Spring"
brand = "Acme"
start = 2026-03-01
end = 2026-03-31

[[feeds]]
url = "feeds/local.xml"
kind = "blog"
"""


def parse(text: str, tmp_path: Path) -> object:
    return parse_config(text, tmp_path / "brands.toml")


def test_example_config_is_valid_and_complete(tmp_path: Path) -> None:
    config = parse_config(example_config(), tmp_path / "brands.toml")
    assert [b.name for b in config.own_brands] == ["Acme"]
    assert [b.name for b in config.competitors] == ["Globex"]
    assert config.campaigns[0].start == date(2026, 3, 1)
    assert config.sources == tuple(collectors.REGISTRY)  # every example enables its source
    feeds = config.sections["feeds"]
    assert feeds[0].templated and not feeds[1].templated


def test_relative_paths_start_at_the_config_folder(tmp_path: Path) -> None:
    config = parse_config(VALID, tmp_path / "brands.toml")
    assert config.settings.database == tmp_path / "data" / "brandpulse.duckdb"
    assert config.sections["feeds"][0].url == str(tmp_path / "feeds" / "local.xml")
    assert config.settings.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("replace", "by", "line", "words"),
    [
        ('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"', 2, ["timezone", "IANA"]),
        ('timezone = "Europe/Paris"', "timezone = 3", 2, ["timezone", "got 3"]),
        ('name = "Acme"', 'name = ""', 5, ["[[brands]] #1", "name", "non-empty"]),
        ('keywords = ["Acme"]', 'keywords = "Acme"', 6, ["keywords", "list of strings"]),
        ("start = 2026-03-01", 'start = "March 1"', 14, ["start", "date like"]),
        ("end = 2026-03-31", "end = 2026-02-01", 15, ["end", "on or after start"]),
        ('brand = "Acme"', 'brand = "Initech"', 13, ["brand", "[[brands]]"]),
        ('kind = "blog"', 'kind = "podcast"', 19, ["kind", "news or blog"]),
        ('kind = "blog"', 'kinds = "blog"', 19, ["kinds", "unknown"]),
        ('name = "Globex"', 'name = "acme"', 9, ["[[competitors]] #1", "no other brand"]),
        ('timezone = "Europe/Paris"', 'timezone = "Europe/Paris', 2, ["not valid TOML"]),
        ('kind = "blog"', 'kind = "blog"\nname = 3', 20, ["[[feeds]] #1", "name", "got 3"]),
        ('url = "feeds/local.xml"', 'url = ""', 18, ["[[feeds]] #1", "url", "non-empty"]),
        ('url = "feeds/local.xml"', "", 17, ["[[feeds]] #1", "url", "feed URL"]),
        ("end = 2026-03-31", "end = 2026-03-31\n[reddit]\npage_size = 101", 17, ["[reddit]"]),
        ("end = 2026-03-31", "end = 2026-03-31\n[fetch]\nretries = -1", 17, ["retries", "0 or"]),
        ("end = 2026-03-31", "end = 2026-03-31\n[fetch]\nbackoff = true", 17, ["backoff"]),
    ],
)
def test_each_mistake_is_named_with_its_line(
    tmp_path: Path, replace: str, by: str, line: int, words: list[str]
) -> None:
    assert replace in VALID
    with pytest.raises(ConfigError) as info:
        parse(VALID.replace(replace, by, 1), tmp_path)
    message = info.value.message
    assert message.startswith(f"{tmp_path / 'brands.toml'}:{line}:"), message
    for word in words:
        assert word in message, message
    assert info.value.exit_code == 2


def test_unknown_top_level_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="twitter"):
        parse(VALID + "\n[twitter]\nhandle = 'x'\n", tmp_path)


def test_named_config_that_does_not_exist_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "missing.toml")
    assert "does not exist" in info.value.message
    assert info.value.fix is not None and "brandpulse init" in info.value.fix


def test_no_config_anywhere_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRANDPULSE_CONFIG", raising=False)
    config = load_config(None)
    assert config.brands == () and config.sources == ()


def test_secrets_never_show_in_repr() -> None:
    secrets = Secrets.from_env({"REDDIT_CLIENT_ID": "id-123", "REDDIT_CLIENT_SECRET": "s3cr3t"})
    assert secrets.credentials["REDDIT_CLIENT_SECRET"] == "s3cr3t"
    assert "s3cr3t" not in repr(secrets) and "id-123" not in repr(secrets)


def test_secrets_hold_only_declared_credentials_and_hand_each_source_its_own() -> None:
    from brandpulse import collectors

    env = {"REDDIT_CLIENT_ID": "id-123", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "x"}
    secrets = Secrets.from_env(env)
    assert dict(secrets.credentials) == {"REDDIT_CLIENT_ID": "id-123"}
    assert secrets.for_source(collectors.load("reddit")) == {"REDDIT_CLIENT_ID": "id-123"}
    assert secrets.for_source(collectors.load("feeds")) == {}


def test_alert_channels_are_read_and_their_mistakes_named(tmp_path: Path) -> None:
    alerts = """
[[alerts]]
channel = "webhook"
url = "https://hooks.example.com/x"
secret_env = "HOOK_SECRET"
brands = ["Acme"]
min_severity = "high"
quiet_hours = "22:00-07:00"
"""
    config = parse_config(VALID + alerts, tmp_path / "brands.toml")
    (alert,) = config.alerts  # type: ignore[attr-defined]
    assert (alert.name, alert.channel, alert.brands, alert.min_severity) == (
        "webhook-1",
        "webhook",
        ("Acme",),
        "high",
    )
    for wrong, key in (
        (alerts.replace('"webhook"', '"pager"'), "channel"),
        (alerts.replace('secret_env = "HOOK_SECRET"\n', ""), "secret_env"),
        (alerts.replace('"22:00-07:00"', '"late"'), "quiet_hours"),
        (alerts.replace('"high"', '"urgent"'), "min_severity"),
    ):
        with pytest.raises(ConfigError) as err:
            parse_config(VALID + wrong, tmp_path / "brands.toml")
        assert f"key '{key}'" in str(err.value.message), err.value.message
        assert "brands.toml:" in err.value.message
