"""Configuration: strict validation, errors naming file and key, path resolution, secrets."""

import textwrap
from pathlib import Path

import pytest
from configs import MINIMAL_CONFIG

from prepcheck.cli import main
from prepcheck.config import Needs, load_config, parse_utc_offset
from prepcheck.errors import ConfigError

GOOD = MINIMAL_CONFIG.replace("https://127.0.0.1:9/", "https://prep.example.mx")


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
    assert "difusor «unam», clave `difusor.colour`: clave desconocida" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('base_url = "https://prep.example.mx"', 'base_url = "ftp://x"', "`difusor.base_url`"),
        ('base_url = "https://prep.example.mx"', 'base_url = "no url"', "`difusor.base_url`"),
        ('name = "unam"', 'name = "Bad Name!"', "`difusor.name`"),
        ('utc_offset = "-06:00"', 'utc_offset = "later"', "`election.utc_offset`"),
    ],
)
def test_bad_values_name_the_key(tmp_path, old, new, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, GOOD.replace(old, new)))


def test_missing_file_is_named(tmp_path):
    path = write(tmp_path, GOOD.replace('name = "unam"', 'name = "unam"\nca_file = "nope.pem"'))
    expected = r"difusor «unam», clave `difusor\.ca_file`: no existe el archivo .*nope\.pem"
    with pytest.raises(ConfigError, match=expected):
        load_config(path)


def test_missing_required_key(tmp_path):
    with pytest.raises(ConfigError, match=r"`election\.window_end`: falta esta clave obligatoria"):
        load_config(write(tmp_path, GOOD.replace("window_end = 2026-12-05T23:59:00", "")))


def test_window_must_be_ordered(tmp_path):
    text = GOOD.replace("window_end = 2026-12-05T23:59:00", "window_end = 2026-11-01T00:00:00")
    with pytest.raises(ConfigError, match="window_end debe ser posterior a window_start"):
        load_config(write(tmp_path, text))


def test_duplicate_difusor_names(tmp_path):
    with pytest.raises(ConfigError, match='el nombre "unam" ya lo usa otro difusor'):
        load_config(write(tmp_path, GOOD + GOOD.split("\n\n")[-1]))


def test_not_toml(tmp_path):
    with pytest.raises(ConfigError, match="no es TOML válido: línea 1, columna 10: falta `]`"):
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
    with pytest.raises(ConfigError, match="PREPCHECK_TEST_SFTP_PASSWORD no está definida"):
        sftp.password()
    monkeypatch.setenv("PREPCHECK_TEST_SFTP_PASSWORD", "s3cret")
    secret = sftp.password()
    assert secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(secret) and "s3cret" not in str(sftp)


def test_sftp_password_in_file_is_rejected(tmp_path):
    text = GOOD + '\n[difusor.sftp]\nhost = "h"\nusername = "u"\npassword = "x"\n'
    expected = r"`difusor\.sftp\.password`: clave desconocida; ¿quiso decir `password_env`\?"
    with pytest.raises(ConfigError, match=expected):
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
    assert "`difusor.typo_key`: clave desconocida" in capsys.readouterr().err


def test_cli_usage_error_exits_2():
    with pytest.raises(SystemExit) as caught:
        main(["run"])
    assert caught.value.code == 2


def test_shipped_example_config_is_valid():
    example = Path(__file__).resolve().parents[2] / "examples" / "prepcheck.toml"
    config = load_config(example)
    assert [d.name for d in config.difusor] == ["universidad-ejemplo", "diario-ejemplo"]
    assert config.election.package.url.endswith("_PREP_VER.zip")


def test_sftp_secrets_are_checked_only_when_needed_and_for_the_selected(tmp_path, monkeypatch):
    text = GOOD + textwrap.dedent("""
        [difusor.sftp]
        host = "127.0.0.1"
        username = "difusor"
        password_env = "PREPCHECK_TEST_SFTP_PASSWORD"

        [[difusor]]
        name = "diario"
        base_url = "https://diario.example.mx"
        """)
    path = write(tmp_path, text)
    monkeypatch.delenv("PREPCHECK_TEST_SFTP_PASSWORD", raising=False)
    load_config(path)  # memoria, selftest, load, monitor: no SFTP login
    load_config(path, needs=Needs(sftp_secrets=True, difusores=("diario",)))
    with pytest.raises(ConfigError, match="PREPCHECK_TEST_SFTP_PASSWORD no está definida"):
        load_config(path, needs=Needs(sftp_secrets=True))
    with pytest.raises(ConfigError, match=r"¿quiso decir «diario»\?"):
        load_config(path, needs=Needs(sftp_secrets=True, difusores=("diaro",)))


def test_new_difusor_keys_have_their_defaults(tmp_path):
    difusor = load_config(write(tmp_path, GOOD)).find("unam")
    assert difusor.budget_seconds == 240
    assert difusor.entry_page_url("prepver2021") == "https://prep.example.mx/prepver2021/"
    text = GOOD + 'entry_url = "https://prep.example.mx/prepver2021/index.html"\n'
    difusor = load_config(write(tmp_path, text)).find("unam")
    assert difusor.entry_page_url("prepver2021").endswith("/prepver2021/index.html")
