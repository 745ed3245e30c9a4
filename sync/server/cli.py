"""``python -m sync.server``: serve the API and web app, and the admin commands IT uses
(enrolment keys, devices, the FFT report, and the web app's users).

Every subcommand takes the same ``--db`` as ``serve``: a SQLite file path, or a SQLAlchemy URL
such as ``postgresql+psycopg://user@host/feedback``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sync import fft
from sync.server import accounts, devices, reports, retag, schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

ADMIN_TOKEN_ENV = "WARD_SYNC_ADMIN_TOKEN"


def _shown(url: str) -> str:
    """The URL with any password masked, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(the --db value)"


def _ods(value: str) -> str:
    if not devices.is_ods_code(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an ODS code (3-9 capitals/digits)")
    return value


def _text(value: str) -> str:
    # A shell in a non-UTF-8 locale hands Python undecodable bytes as lone surrogates.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"{value!a} is not UTF-8 text; set a UTF-8 locale (e.g. LANG=C.UTF-8) and type it again"
        ) from None
    return value


def _ward(value: str) -> str:
    # The same rule as the wire protocol's ward_name: kiosks must be able to match it exactly.
    value = _text(value)
    if not devices.is_ward_name(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a ward name: use 1 to 100 printable characters, exactly as "
            "the kiosk's kiosk.toml has [location] ward_name"
        )
    return value


def _whole(largest: int) -> Callable[[str], int]:
    """A whole number from 1 to *largest*, in ASCII digits."""

    def whole(value: str) -> int:
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= largest:
            raise argparse.ArgumentTypeError(
                f"{value!a} must be a whole number from 1 to {largest}"
            )
        return int(value)

    return whole


_positive = _whole(devices.LARGEST_NUMBER)
_days = _whole(devices.LONGEST_KEY_DAYS)  # a key's life: years, never a date past 9999


def _ward_place(value: str) -> devices.Place:
    # Ward names may hold "/" themselves: only the first two slashes separate.
    org, _, rest = _text(value).partition("/")
    site, slash, ward = rest.partition("/")
    if not slash:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a ward: write it ORG/SITE/WARD_NAME, e.g. 'RWD/RWDLA/Ward 7', "
            "with the ward name exactly as the kiosk's kiosk.toml has it"
        )
    return devices.Place(_ods(org), _ods(site), _ward(ward))


def _device_id(value: str) -> str:
    try:
        return str(uuid.UUID(_text(value)))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!a} is not a device id; copy it from `devices list`"
        ) from None


def _revoke_key(engine: Engine, key_id: int) -> bool:
    """Revoke a key and say so in the audit log, in one transaction."""
    at = devices.now()
    with engine.begin() as conn:
        if not devices.revoke_key_on(conn, key_id, at):
            return False
        accounts.audit(conn, accounts.CLI, devices.KEY_REVOKED, f"key {key_id}", at)
    return True


def _revoke_device(engine: Engine, device_id: str) -> bool:
    """Revoke a device and say so in the audit log, in one transaction."""
    at = devices.now()
    with engine.begin() as conn:
        if not devices.revoke_device_on(conn, device_id, at):
            return False
        accounts.audit(conn, accounts.CLI, devices.KIOSK_REVOKED, device_id, at)
    return True


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        help="SQLite file or SQLAlchemy URL (default: server.db in the platform data folder)",
    )
    top = argparse.ArgumentParser(
        prog="ward-sync-server", description="Central server for ward feedback kiosks."
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[common], help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument(
        "--config",
        metavar="PATH",
        help="server.toml: how alerts are sent (e-mail, webhook); default $WARD_SYNC_CONFIG, "
        "and with neither, alerts are listed in the web app but not sent",
    )
    serve.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="believe X-Forwarded-Proto and X-Forwarded-For from --forwarded-allow-ips, so the "
        "web app sees the browser's https and address behind a TLS proxy (default: on)",
    )
    serve.add_argument(
        "--tagging",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="tag new comments in the background (default: on; needs the analysis extra)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="comma-separated addresses of the TLS proxy, or '*' (default: 127.0.0.1, or "
        "$FORWARDED_ALLOW_IPS)",
    )

    keys = commands.add_parser("keys", help="enrollment keys").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = keys.add_parser("create", parents=[common], help="make a key (printed once)")
    create.add_argument("--org", required=True, type=_ods, help="trust ODS code, e.g. RWD")
    create.add_argument("--site", required=True, type=_ods, help="site ODS code, e.g. RWDLA")
    create.add_argument(
        "--ward",
        required=True,
        type=_ward,
        help='ward name, exactly as the kiosk\'s [location] ward_name, e.g. "Ward 7"',
    )
    create.add_argument("--expires", type=_days, metavar="DAYS")
    create.add_argument("--uses", type=_positive, metavar="N")
    keys.add_parser("list", parents=[common], help="list keys (never the keys themselves)")
    revoke_key = keys.add_parser("revoke", parents=[common], help="revoke a key by its id")
    revoke_key.add_argument("key_id", type=_positive)

    devices = commands.add_parser("devices", help="enrolled kiosks").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    devices.add_parser("list", parents=[common], help="list devices")
    revoke_device = devices.add_parser("revoke", parents=[common], help="revoke a device")
    revoke_device.add_argument("device_id", type=_device_id)

    report = commands.add_parser("report", parents=[common], help="print the FFT for a month")
    report.add_argument("--period", required=True, help="YYYY-MM")
    report.add_argument("--level", choices=["ward", "site", "org"], default="ward")
    report.add_argument(
        "--csv",
        action="store_true",
        help="NHS England's ward-level CSV layout: without --suppress, the true counts a "
        "trust submits (NHS England suppresses when it publishes)",
    )
    report.add_argument(
        "--suppress",
        action="store_true",
        help="as NHS England will publish it: the breakdown of places with 1-4 responses "
        "hidden as *, with second-level and cascade suppression; never for the submission",
    )
    report.add_argument("--include-flagged", action="store_true", help="count repeat taps too")
    report.add_argument("--by-survey", action="store_true", help="JSON, counts per survey too")

    users = commands.add_parser("users", help="people who sign in to the web app")
    people = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    stdin = argparse.ArgumentParser(add_help=False)
    stdin.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input (never from the "
        "command line, where other users of the machine could see it); at a terminal it "
        "is asked for without being shown",
    )
    create_user = people.add_parser(
        "create", parents=[common, stdin], help="add a user (admin: the whole trust)"
    )
    create_user.add_argument("--email", required=True, type=_text)
    create_user.add_argument("--role", required=True, choices=accounts.ROLES)
    create_user.add_argument(
        "--ward",
        action="append",
        default=[],
        type=_ward_place,
        metavar="ORG/SITE/WARD_NAME",
        help="a ward a ward user sees (repeat for several), e.g. 'RWD/RWDLA/Ward 7'",
    )
    create_user.add_argument("--name", default="", type=_text, help="shown in the web app")
    people.add_parser("list", parents=[common], help="list users (never their passwords)")
    disable = people.add_parser(
        "disable", parents=[common], help="stop a user signing in, and end their sessions"
    )
    disable.add_argument("email", type=_text)
    reset = people.add_parser(
        "reset-password", parents=[common, stdin], help="set a new password; ends their sessions"
    )
    reset.add_argument("email", type=_text)

    retag.add_command(commands, common)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    if args.command == "tag-comments" and (problem := retag.misused(args)):
        top.error(problem)
    if args.command == "tag-comments" and not args.retag:
        # Imported here: the server starts without numpy, and only this needs the model.
        from sync.analysis import command

        return command.main(args.input, args.output)
    url = schema.database_url(args.db)
    try:
        engine = schema.open_database(url)
    except Exception as exc:  # a bad URL, a refused connection, an unwritable file
        print(f"cannot open the database {_shown(url)}: {exc}", file=sys.stderr)
        return 2

    if args.command == "serve":
        import uvicorn

        from sync.server.alerts import settings as alert_settings
        from sync.server.alerts.worker import AlertWorker
        from sync.server.app import TAGGING_ENV, create_app
        from sync.server.tagging_worker import TaggingWorker

        try:
            config = alert_settings.load(alert_settings.config_path(args.config))
        except alert_settings.SettingsError as exc:
            print(f"cannot start: {exc}", file=sys.stderr)
            return 2
        token = os.environ.get(ADMIN_TOKEN_ENV) or None
        if not token:
            print(f"{ADMIN_TOKEN_ENV} is not set: report endpoints are disabled", file=sys.stderr)
        if args.workers > 1:
            # Each worker process opens the (already migrated) database for itself.
            engine.dispose()
            os.environ["WARD_SYNC_DB_URL"] = url
            if config.path is not None:
                os.environ[alert_settings.CONFIG_ENV] = str(config.path.resolve())
            os.environ[TAGGING_ENV] = "1" if args.tagging else "0"
            uvicorn.run(
                "sync.server.app:app_from_environment",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level="info",
                proxy_headers=args.proxy_headers,
                forwarded_allow_ips=args.forwarded_allow_ips,
            )
        else:
            uvicorn.run(
                create_app(
                    engine,
                    token,
                    tagger=TaggingWorker(engine) if args.tagging else None,
                    alerts=AlertWorker(engine, config),
                ),
                host=args.host,
                port=args.port,
                proxy_headers=args.proxy_headers,
                forwarded_allow_ips=args.forwarded_allow_ips,
            )
        return 0

    if args.command == "tag-comments":
        return retag.main(engine)

    if args.command == "users":
        return _users(accounts.Accounts(engine), args)

    if args.command == "keys":
        if args.action == "create":
            place = devices.Place(args.org, args.site, args.ward)
            at = devices.now()
            with engine.begin() as conn:
                key_id, key = devices.create_key_on(conn, place, args.expires, args.uses, at)
                detail = (
                    f"key {key_id} for {accounts.place_words(place)}; uses: "
                    f"{args.uses or 'no limit'}; expires: "
                    f"{f'in {args.expires} days' if args.expires else 'never'}"
                )
                accounts.audit(conn, accounts.CLI, devices.KEY_CREATED, detail, at)
            print(key)
            print(
                f"Enrollment key for {args.org} / {args.site} / {args.ward}. It is shown once: "
                "put it in the kiosk's kiosk.toml as [sync] enrollment_key.",
                file=sys.stderr,
            )
            return 0
        if args.action == "list":
            for row in devices.list_keys(engine):
                state = "revoked" if row["revoked_at"] else "active"
                uses = "unlimited" if row["uses_left"] is None else row["uses_left"]
                print(
                    f"{row['id']:>4}  {state:<7}  {row['org_code']}/{row['site_code']}  "
                    f"{row['ward_name']}  uses left: {uses}  "
                    f"expires: {row['expires_at'] or 'never'}"
                )
            return 0
        if _revoke_key(engine, args.key_id):
            print(f"key {args.key_id} revoked")
            return 0
        print(f"no active key with id {args.key_id}; see `keys list`", file=sys.stderr)
        return 1

    if args.command == "devices":
        if args.action == "list":
            for row in devices.list_devices(engine):
                state = "revoked" if row["revoked_at"] else "active"
                print(
                    f"{row['device_id']}  {state:<7}  {row['org_code']}/{row['site_code']}  "
                    f"{row['ward_name']}  {row['name']}  "
                    f"last seen: {row['last_seen_at'] or 'never'}"
                )
            return 0
        if _revoke_device(engine, args.device_id):
            print(
                f"device {args.device_id} revoked: its next upload is refused. Its enrollment "
                "key can still enrol a device: if the tablet was lost or stolen, revoke the "
                "key too (`keys list`, then `keys revoke ID`)."
            )
            return 0
        print(f"no active device {args.device_id}; see `devices list`", file=sys.stderr)
        return 1

    try:
        report = reports.fft_report(
            engine, args.period, args.level, args.suppress, args.include_flagged, args.by_survey
        )
    except fft.PeriodError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.csv and not args.by_survey:  # NHS England's CSV has no survey column
        sys.stdout.write(reports.report_csv(report))
    else:
        print(json.dumps(report.model_dump(mode="json"), indent=2))
    return 0


# -- users of the web app ------------------------------------------------------------------


def _password() -> str:
    """The password from standard input: one line, or asked for unseen at a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass("Password (not shown): ")
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:
        raise accounts.AccountError(
            "the password on standard input is not UTF-8 text; set a UTF-8 locale"
        ) from None
    password = line.rstrip("\r\n")
    if not password:
        raise accounts.AccountError(
            "no password on standard input: give it as the first line, e.g. "
            "`users ... --password-stdin < password-file`"
        )
    return password


def _users(people: accounts.Accounts, args: argparse.Namespace) -> int:
    try:
        if args.action == "create":
            user = people.create_user(
                args.email, args.role, _password(), args.ward, display_name=args.name
            )
            print(f"{user.email} created ({user.role})")
            keys = devices.list_keys(people.engine)
            known = {devices.Place(k["org_code"], k["site_code"], k["ward_name"]) for k in keys}
            for place in args.ward:
                if place not in known:
                    print(
                        f"note: no enrollment key was ever made for {accounts.place_words(place)}"
                        "; check it is spelt exactly as the kiosk's kiosk.toml has it",
                        file=sys.stderr,
                    )
        elif args.action == "list":
            now = people.now()
            for user in people.users():
                state = "disabled" if user.disabled_at else "active"
                if not user.disabled_at and user.locked_until and user.locked_until > now:
                    state = f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
                wards = "; ".join(
                    accounts.place_words(p) for p in sorted(user.wards, key=accounts.place_order)
                )
                seen = f"{user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "never"
                print(
                    f"{user.email}  {user.role:<5}  {state}  last sign-in: {seen}"
                    + (f"  wards: {wards}" if wards else "")
                )
        elif args.action == "disable":
            user = people.disable(args.email)
            print(f"{user.email} disabled: they cannot sign in, and their sessions have ended")
        else:
            user = people.reset_password(args.email, _password())
            print(f"password reset for {user.email}; their sessions have ended")
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0
