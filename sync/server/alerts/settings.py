"""The server config file's alert settings: how to send (SMTP, a webhook), to whom, and how
often at most, read from ``server.toml`` (``serve --config PATH`` or ``$WARD_SYNC_CONFIG``).

Every mistake is refused with a sentence naming the file, the key and what to write instead.
Secrets (the SMTP password, the webhook's address, which holds its own key) are best kept
out of the file: each can come from a file (``password_file``) or an environment variable
(``password_env``) instead.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

CONFIG_ENV = "WARD_SYNC_CONFIG"
Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}


class SettingsError(ValueError):
    """The config file cannot be used; the message names the key and what to do."""


@dataclass(frozen=True)
class Smtp:
    """How to reach the trust's mail server."""

    host: str
    port: int
    security: Security
    sender: str
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Jumps:
    """When a ward's % negative has jumped: its last ``recent_days`` against the
    ``baseline_days`` before them, each with at least ``min_responses``, rising by at least
    ``min_rise`` percentage points."""

    recent_days: int = 7
    baseline_days: int = 28
    min_responses: int = 10
    min_rise: int = 15


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go.

    Attributes:
        public_url: the web app's address as people reach it; every message links into it.
        smtp: the mail server, or None to send no e-mail.
        email_ward_managers: e-mail the ``ward`` users linked to the alert's ward.
        recipients: addresses that get every ward's alerts (e.g. the patient experience team).
        webhook_url: a URL that is POSTed every alert as JSON (a Teams workflow), or None.
        per_ward_per_hour: messages at most per recipient and ward in any hour; the rest wait
            for one digest.
    """

    public_url: str
    smtp: Smtp | None = None
    email_ward_managers: bool = True
    recipients: tuple[str, ...] = ()
    webhook_url: str | None = None
    per_ward_per_hour: int = 5

    @property
    def sends(self) -> bool:
        return self.smtp is not None or self.webhook_url is not None


@dataclass(frozen=True)
class ServerConfig:
    """What ``server.toml`` says; ``alerts`` None means alerts are listed but never sent."""

    alerts: AlertSettings | None = None
    jumps: Jumps = Jumps()
    path: Path | None = None


_SMTP_KEYS = {
    "host", "port", "security", "from", "username", "password_file", "password_env",
    "timeout_seconds",
}  # fmt: skip
_ALERT_KEYS = {
    "public_url", "email_ward_managers", "recipients", "webhook_url", "webhook_url_file",
    "webhook_url_env", "max_per_ward_per_hour", "jump_recent_days", "jump_baseline_days",
    "jump_min_responses", "jump_min_rise",
}  # fmt: skip


def config_path(given: str | None) -> Path | None:
    """The config file to read: ``--config``, else ``$WARD_SYNC_CONFIG``, else none."""
    value = given or os.environ.get(CONFIG_ENV) or ""
    return Path(value).expanduser() if value else None


def load(path: Path | None) -> ServerConfig:
    """Read and check the config file at *path* (None: no file, nothing is sent).

    :raises SettingsError: naming the key and what to write.
    """
    if path is None:
        return ServerConfig()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(
            f"the server config {path} does not exist: check the path given to --config "
            f"(or ${CONFIG_ENV}), or leave both out to run without sending alerts"
        ) from None
    except OSError as exc:
        raise SettingsError(f"the server config {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"{path} is not valid TOML ({exc}): correct it and start again"
        ) from None
    return parse(data, path)


def parse(data: Mapping[str, Any], path: Path) -> ServerConfig:
    """Check the parsed file *data* (from *path*, named in every message)."""
    reader = _Reader(path)
    unknown = sorted(set(data) - {"alerts", "smtp"})
    if unknown:
        raise SettingsError(
            f"{path}: unknown section [{unknown[0]}]; the file has [alerts] and [smtp] only"
        )
    if isinstance(data.get("smtp"), dict) and "password" in data["smtp"]:
        raise reader.refuse(
            "smtp",
            "password",
            "is not read from the file, where anyone who can read it sees it: put the "
            "password in a file only the server can read and give password_file, or set "
            "an environment variable and give password_env",
        )
    alerts = reader.table(data, "alerts", _ALERT_KEYS)
    smtp_table = reader.table(data, "smtp", _SMTP_KEYS)
    jumps = Jumps(
        recent_days=reader.whole(alerts, "alerts", "jump_recent_days", 7, 1, 90),
        baseline_days=reader.whole(alerts, "alerts", "jump_baseline_days", 28, 7, 365),
        min_responses=reader.whole(alerts, "alerts", "jump_min_responses", 10, 1, 100_000),
        min_rise=reader.whole(alerts, "alerts", "jump_min_rise", 15, 1, 100),
    )
    smtp = reader.smtp(smtp_table) if smtp_table else None
    webhook = reader.secret(alerts, "alerts", "webhook_url", allow_plain=True)
    if webhook is not None:
        reader.url(webhook, "alerts", "webhook_url", secret=True)
    public_url = reader.text(alerts, "alerts", "public_url")
    if public_url is not None:
        reader.url(public_url, "alerts", "public_url")
    recipients = alerts.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise reader.refuse(
            "alerts", "recipients", 'must be a list of addresses, e.g. ["team@example.nhs.uk"]'
        )
    for address in recipients:
        reader.address(address, "alerts", "recipients")
    if recipients and smtp is None:
        raise reader.refuse(
            "alerts", "recipients", "needs an [smtp] section to send them e-mail: add one with "
            "host and from"
        )  # fmt: skip
    managers = alerts.get("email_ward_managers", True)
    if not isinstance(managers, bool):
        raise reader.refuse("alerts", "email_ward_managers", "must be true or false")
    per_hour = reader.whole(alerts, "alerts", "max_per_ward_per_hour", 5, 1, 1000)
    if smtp is None and webhook is None:
        return ServerConfig(jumps=jumps, path=path)
    if public_url is None:
        raise reader.refuse(
            "alerts",
            "public_url",
            "is missing: every alert links to the web app, so give its address as people "
            'open it, e.g. public_url = "https://feedback.example.nhs.uk"',
        )
    settings = AlertSettings(
        public_url=public_url.rstrip("/"),
        smtp=smtp,
        email_ward_managers=managers,
        recipients=tuple(dict.fromkeys(r.strip() for r in recipients)),
        webhook_url=webhook,
        per_ward_per_hour=per_hour,
    )
    return ServerConfig(alerts=settings, jumps=jumps, path=path)


class _Reader:
    """Checks values one key at a time, naming *path* and the key in every refusal."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def refuse(self, section: str, key: str, wanted: str) -> SettingsError:
        return SettingsError(f"{self.path}: [{section}] {key} {wanted}")

    def table(self, data: Mapping[str, Any], name: str, keys: set[str]) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise SettingsError(
                f"{self.path}: [{name}] must be a section, e.g. [{name}] on its own line"
            )
        unknown = sorted(set(value) - keys)
        if unknown:
            raise SettingsError(
                f"{self.path}: [{name}] has no key {unknown[0]!r}; its keys are "
                f"{', '.join(sorted(keys))}"
            )
        return value

    def whole(
        self, table: Mapping[str, Any], section: str, key: str, default: int, low: int, high: int
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.refuse(section, key, f"must be a whole number from {low} to {high}")
        return value

    def text(self, table: Mapping[str, Any], section: str, key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.refuse(section, key, 'must be text in quotes, e.g. "value"')
        return value.strip()

    def secret(
        self, table: Mapping[str, Any], section: str, key: str, allow_plain: bool = False
    ) -> str | None:
        """*key* itself (if *allow_plain*), or read from ``<key>_file`` or ``<key>_env``."""
        plain = self.text(table, section, key) if allow_plain else None
        file_name = self.text(table, section, f"{key}_file")
        env_name = self.text(table, section, f"{key}_env")
        given = [v for v in (plain, file_name, env_name) if v is not None]
        if len(given) > 1:
            raise self.refuse(
                section,
                key,
                f"is given more than one way: keep one of {key}, {key}_file, {key}_env",
            )
        if file_name is not None:
            try:
                value = Path(file_name).expanduser().read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise self.refuse(
                    section, f"{key}_file", f"names {file_name}, which cannot be read ({exc})"
                ) from None
            if not value:
                raise self.refuse(section, f"{key}_file", f"names {file_name}, which is empty")
            return value
        if env_name is not None:
            value = os.environ.get(env_name, "").strip()
            if not value:
                raise self.refuse(
                    section,
                    f"{key}_env",
                    f"names ${env_name}, which is not set: set it where the server starts",
                )
            return value
        return plain

    def url(self, value: str, section: str, key: str, secret: bool = False) -> None:
        """Refuse *value* unless it is an http(s) address; a *secret* one (a webhook's, which
        holds its key) is never repeated in the message, which goes to the log."""
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            given = "the one given is not shown, as it may hold a key" if secret else repr(value)
            raise self.refuse(section, key, f"must be a web address starting https://, not {given}")

    def address(self, value: str, section: str, key: str) -> str:
        try:
            parsed = Address(addr_spec=value.strip())
        except (HeaderParseError, ValueError, IndexError):
            parsed = None
        if parsed is None or not parsed.username or "." not in parsed.domain:
            raise self.refuse(section, key, f"holds {value!r}, which is not an e-mail address")
        return value.strip()

    def smtp(self, table: Mapping[str, Any]) -> Smtp:
        host = self.text(table, "smtp", "host")
        if host is None:
            raise self.refuse(
                "smtp", "host", 'is missing: the mail server, e.g. "smtp.example.nhs.uk"'
            )
        security = table.get("security", "starttls")
        if security not in DEFAULT_PORTS:
            raise self.refuse("smtp", "security", 'must be "starttls", "ssl" or "none"')
        port = self.whole(table, "smtp", "port", DEFAULT_PORTS[security], 1, 65535)
        sender = self.text(table, "smtp", "from")
        if sender is None:
            raise self.refuse(
                "smtp",
                "from",
                'is missing: the address alerts come from, e.g. "feedback@example.nhs.uk"',
            )
        self.address(sender, "smtp", "from")
        username = self.text(table, "smtp", "username")
        password = self.secret(table, "smtp", "password")
        if (username is None) != (password is None):
            raise self.refuse(
                "smtp",
                "username" if username is None else "password_file",
                "and a password go together: give username and one of password_file or "
                "password_env, or neither",
            )
        timeout = table.get("timeout_seconds", 30)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 1 <= timeout <= 300
        ):
            raise self.refuse(
                "smtp", "timeout_seconds", "must be a number of seconds from 1 to 300"
            )
        return Smtp(host, port, security, sender, username, password, float(timeout))


def describe(config: ServerConfig) -> str:
    """One line for the log: where alerts go, never a secret."""
    settings = config.alerts
    if settings is None:
        where = f"in {config.path}" if config.path else "(no server config given)"
        return (
            "alerts are listed in the web app but not sent: no [smtp] or webhook_url is set up "
            f"{where}; see the README's Alerts section"
        )
    channels = []
    if settings.smtp is not None:
        who = "ward managers" if settings.email_ward_managers else ""
        if settings.recipients:
            who += (" and " if who else "") + f"{len(settings.recipients)} trust-wide addresses"
        channels.append(
            f"e-mail via {settings.smtp.host}:{settings.smtp.port} to {who or 'nobody'}"
        )
    if settings.webhook_url is not None:
        channels.append(f"a webhook at {urlsplit(settings.webhook_url).netloc}")
    return f"alerts are sent by {' and '.join(channels)}, linking to {settings.public_url}"
