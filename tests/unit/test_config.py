"""Configuration: strict validation, errors naming file and key, path resolution, secrets."""

import textwrap
from pathlib import Path

import pytest

from prepcheck.cli import main
from prepcheck.config import load_config, parse_utc_offset
from prepcheck.errors import ConfigError

GOOD = """
[election]
name = "Simulacro"
utc_offset = "-06:00"
window_start = 2026-11-29T19:00:00
window_end = 2026-12-05T23:59:00

[[difusor]]
name = "unam"
base_url = "https://prep.example.mx"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prepcheck.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_config_has_defaults(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    difusor = config.find("unam")
    assert config.election.folder == "prepver2021"
    assert config.election.update_interval_minutes == 15
    assert config.election.missed_period_limit == 3
    assert difusor.base_url == "https://prep.example.mx/"
    assert (
        difusor.main_json_url("prepver2021") == "https://prep.example.mx/prepver2021/json/main.json"
    )
    assert (
        config.election.localize(config.election.window_start).utcoffset().total_seconds()
        == -6 * 3600
    )


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, GOOD + 'colour = "red"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert "difusor.0.colour: unknown key" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('base_url = "https://prep.example.mx"', 'base_url = "ftp://x"', "difusor.0.base_url"),
        ('base_url = "https://prep.example.mx"', 'base_url = "no url"', "difusor.0.base_url"),
        ('name = "unam"', 'name = "Bad Name!"', "difusor.0.name"),
        ('utc_offset = "-06:00"', 'utc_offset = "later"', "election.utc_offset"),
    ],
)
def test_bad_values_name_the_key(tmp_path, old, new, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, GOOD.replace(old, new)))


def test_missing_file_is_named(tmp_path):
    path = write(tmp_path, GOOD.replace('name = "unam"', 'name = "unam"\nca_file = "nope.pem"'))
    with pytest.raises(ConfigError, match=r"difusor\.0\.ca_file: file not found: .*nope\.pem"):
        load_config(path)


def test_missing_required_key(tmp_path):
    with pytest.raises(ConfigError, match=r"election\.window_end: required key is missing"):
        load_config(write(tmp_path, GOOD.replace("window_end = 2026-12-05T23:59:00", "")))


def test_window_must_be_ordered(tmp_path):
    text = GOOD.replace("window_end = 2026-12-05T23:59:00", "window_end = 2026-11-01T00:00:00")
    with pytest.raises(ConfigError, match="window_end must be after window_start"):
        load_config(write(tmp_path, text))


def test_duplicate_difusor_names(tmp_path):
    with pytest.raises(ConfigError, match="repeated: unam"):
        load_config(write(tmp_path, GOOD + GOOD.split("\n\n")[-1]))


def test_not_toml(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[election\n"))


def test_sftp_secret_from_environment_only(tmp_path, monkeypatch):
    text = GOOD + textwrap.dedent("""
        [difusor.sftp]
        host = "127.0.0.1"
        username = "difusor"
        password_env = "PREPCHECK_TEST_SFTP_PASSWORD"
        """)
    config = load_config(write(tmp_path, text))
    sftp = config.find("unam").sftp
    monkeypatch.delenv("PREPCHECK_TEST_SFTP_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="PREPCHECK_TEST_SFTP_PASSWORD is not set"):
        sftp.password()
    monkeypatch.setenv("PREPCHECK_TEST_SFTP_PASSWORD", "s3cret")
    secret = sftp.password()
    assert secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(secret) and "s3cret" not in str(sftp)


def test_sftp_password_in_file_is_rejected(tmp_path):
    text = GOOD + '\n[difusor.sftp]\nhost = "h"\nusername = "u"\npassword = "x"\n'
    with pytest.raises(ConfigError, match=r"difusor\.0\.sftp\.password: unknown key"):
        load_config(write(tmp_path, text))


def test_load_block_defaults_to_unauthorized(tmp_path):
    config = load_config(write(tmp_path, GOOD + "\n[difusor.load]\nusers = 10\n"))
    assert config.find("unam").load.authorized is False


@pytest.mark.parametrize(
    ("text", "hours"), [("-05:00", -5), ("-0600", -6), ("UTC-5", -5), ("+01:30", 1.5)]
)
def test_utc_offsets(text, hours):
    assert parse_utc_offset(text).utcoffset(None).total_seconds() == hours * 3600


def test_cli_exits_2_naming_the_key(tmp_path, capsys):
    path = write(tmp_path, GOOD + "typo_key = 1\n")
    assert main(["run", "--config", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "typo_key: unknown key" in capsys.readouterr().err


def test_cli_usage_error_exits_2():
    with pytest.raises(SystemExit) as caught:
        main(["run"])
    assert caught.value.code == 2


def test_shipped_example_config_is_valid():
    example = Path(__file__).resolve().parents[2] / "examples" / "prepcheck.toml"
    config = load_config(example)
    assert [d.name for d in config.difusor] == ["universidad-ejemplo", "diario-ejemplo"]
    assert config.election.package.url.endswith("_PREP_VER.zip")
