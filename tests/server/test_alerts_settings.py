"""server.toml's alert settings: a good file is read as written, secrets come from a file or
the environment, and every mistake is refused with the key and what to write."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sync.server import cli
from sync.server.alerts.settings import CONFIG_ENV, SettingsError, config_path, describe, load

GOOD = """
[alerts]
public_url = "https://feedback.example.nhs.uk/"
recipients = ["patient.experience@example.nhs.uk"]
webhook_url_env = "TEST_TEAMS_WEBHOOK"
max_per_ward_per_hour = 3
jump_min_rise = 20

[smtp]
host = "smtp.example.nhs.uk"
from = "ward-feedback@example.nhs.uk"
username = "ward-feedback"
password_file = "{password}"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "server.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_is_read_as_written(tmp_path, monkeypatch):
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret-from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("TEST_TEAMS_WEBHOOK", "https://example.webhook.office.com/abc")
    config = load(_write(tmp_path, GOOD.format(password=secret)))
    alerts = config.alerts
    assert alerts is not None and alerts.smtp is not None
    assert alerts.public_url == "https://feedback.example.nhs.uk"
    assert alerts.smtp.port == 587 and alerts.smtp.security == "starttls"
    assert alerts.smtp.password == "s3cret-from-a-file"
    assert alerts.webhook_url == "https://example.webhook.office.com/abc"
    assert alerts.recipients == ("patient.experience@example.nhs.uk",)
    assert alerts.per_ward_per_hour == 3 and config.jumps.min_rise == 20
    line = describe(config)
    assert "smtp.example.nhs.uk:587" in line and "example.webhook.office.com" in line
    assert "s3cret" not in line and "/abc" not in line


def test_no_file_means_listed_but_not_sent(monkeypatch):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    config = load(config_path(None))
    assert config.alerts is None
    assert "listed in the web app but not sent" in describe(config)


def test_the_environment_names_the_file(tmp_path, monkeypatch):
    path = _write(tmp_path, "[alerts]\n")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert config_path(None) == path
    assert config_path(str(tmp_path / "other.toml")) == tmp_path / "other.toml"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[smtp]\nhots = 'x'\n", "[smtp] has no key 'hots'"),
        ("[mail]\n", "unknown section [mail]"),
        ("[alerts]\nwebhook_url = 'https://x.example/h'\n", "[alerts] public_url is missing"),
        (
            "[alerts]\npublic_url = 'feedback'\nwebhook_url = 'https://x.example/h'\n",
            "[alerts] public_url must be a web address starting https://",
        ),
        (
            "[alerts]\npublic_url = 'https://a.example'\n[smtp]\nhost = 'h'\nfrom = 'x'\n",
            "[smtp] from holds 'x', which is not an e-mail address",
        ),
        (
            "[alerts]\npublic_url = 'https://a.example'\n[smtp]\nhost = 'h'\n"
            "from = 'a@b.example'\nport = 'twenty-five'\n",
            "[smtp] port must be a whole number from 1 to 65535",
        ),
        (
            "[alerts]\npublic_url = 'https://a.example'\n[smtp]\nhost = 'h'\n"
            "from = 'a@b.example'\nusername = 'me'\n",
            "a password go together",
        ),
        (
            "[alerts]\npublic_url = 'https://a.example'\n[smtp]\nhost = 'h'\n"
            "from = 'a@b.example'\nusername = 'me'\npassword_env = 'NO_SUCH_VARIABLE_HERE'\n",
            "[smtp] password_env names $NO_SUCH_VARIABLE_HERE, which is not set",
        ),
        (
            "[alerts]\npublic_url = 'https://a.example'\nrecipients = ['a@b.example']\n",
            "recipients needs an [smtp] section",
        ),
        ("[alerts]\nmax_per_ward_per_hour = 0\n", "max_per_ward_per_hour must be a whole number"),
        ("[alerts\n", "is not valid TOML"),
    ],
)
def test_mistakes_are_refused_with_the_key_and_what_to_do(tmp_path, text, words):
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError) as refused:
        load(path)
    assert str(path) in str(refused.value)
    assert words in str(refused.value)


def test_a_password_written_in_the_file_is_refused(tmp_path):
    text = "[smtp]\nhost = 'h'\nfrom = 'a@b.example'\nusername = 'me'\npassword = 'x'\n"
    with pytest.raises(SettingsError, match=r"\[smtp\] password is not read from the file"):
        load(_write(tmp_path, text))


def test_serve_with_a_broken_config_says_which_key_and_does_not_start(tmp_path, capsys):
    path = _write(tmp_path, "[smtp]\nhots = 'x'\n")
    code = cli.main(["serve", "--db", str(tmp_path / "server.db"), "--config", str(path)])
    assert code == 2
    assert f"cannot start: {path}: [smtp] has no key 'hots'" in capsys.readouterr().err


def test_serve_with_a_missing_config_says_so(tmp_path, capsys):
    missing = tmp_path / "nowhere.toml"
    code = cli.main(["serve", "--db", str(tmp_path / "server.db"), "--config", str(missing)])
    assert code == 2
    assert f"the server config {missing} does not exist" in capsys.readouterr().err
