"""``python -m sync.server users ...``: making, listing, disabling and resetting web app users
from the command line, the password only ever from standard input, every change audited."""

from __future__ import annotations

import io
import sys

import pytest
import sqlalchemy as sa

from sync.server import accounts, cli, schema, sessions
from sync.server.devices import Place
from sync.server.schema import audit_log, users
from tests.server.web.conftest import PASSWORD


@pytest.fixture
def db(empty_url):
    return empty_url


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse refusing
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def stored(db):
    engine = schema.open_database(db)
    with engine.connect() as conn:
        found = {
            "users": conn.execute(sa.select(users).order_by(users.c.email)).all(),
            "audit": conn.execute(
                sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail).order_by(
                    audit_log.c.id
                )
            ).all(),
        }
    engine.dispose()
    return found


def test_create_list_disable_and_reset_a_user(capsys, monkeypatch, db):
    code, out, err = run(
        capsys,
        monkeypatch,
        "users", "create", "--db", db, "--email", "Ward.Manager@Trust.NHS.uk", "--role", "ward",
        "--ward", "RWD/RWDLA/Ward 7/8 (Acute)", "--ward", "RWD/RWDLB/Children's ward",
        "--name", "Wanda Manager", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert out == "ward.manager@trust.nhs.uk created (ward)\n"
    assert PASSWORD not in out + err
    row = stored(db)["users"][0]
    assert row.email == "ward.manager@trust.nhs.uk" and row.display_name == "Wanda Manager"
    assert row.password_hash.startswith("scrypt$") and PASSWORD not in row.password_hash
    assert accounts.verify_password(PASSWORD, row.password_hash)

    code, out, _ = run(capsys, monkeypatch, "users", "list", "--db", db)
    assert code == 0
    assert out.startswith("ward.manager@trust.nhs.uk  ward   active  last sign-in: never  wards: ")
    assert "RWD/RWDLA/Ward 7/8 (Acute); RWD/RWDLB/Children's ward" in out
    assert "scrypt" not in out

    code, out, _ = run(
        capsys, monkeypatch, "users", "disable", "--db", db, "WARD.manager@trust.nhs.uk"
    )
    assert code == 0 and "disabled" in out and "sessions have ended" in out
    assert "  disabled  " in run(capsys, monkeypatch, "users", "list", "--db", db)[1]

    new = "another long passphrase"
    code, out, err = run(
        capsys, monkeypatch, "users", "reset-password", "--db", db,
        "ward.manager@trust.nhs.uk", "--password-stdin", stdin=new + "\r\n",
    )  # fmt: skip
    assert code == 0 and new not in out + err
    assert accounts.verify_password(new, stored(db)["users"][0].password_hash)
    assert stored(db)["audit"] == [
        ("command line", "user created",
         "ward.manager@trust.nhs.uk (ward) RWD/RWDLA/Ward 7/8 (Acute); RWD/RWDLB/Children's ward"),
        ("command line", "user disabled", "ward.manager@trust.nhs.uk"),
        ("command line", "password reset", "ward.manager@trust.nhs.uk"),
    ]  # fmt: skip


def test_a_ward_with_slashes_in_its_name_splits_on_the_first_two_only(capsys, monkeypatch, db):
    run(
        capsys, monkeypatch, "users", "create", "--db", db, "--email", "a@trust.nhs.uk",
        "--role", "ward", "--ward", "RWD/RWDLA/A/B/C", "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip
    engine = schema.open_database(db)
    user = accounts.Accounts(engine).user("a@trust.nhs.uk")
    engine.dispose()
    assert user is not None and user.wards == {Place("RWD", "RWDLA", "A/B/C")}


def test_resetting_a_password_ends_that_users_sessions(capsys, monkeypatch, db):
    engine = schema.open_database(db)
    accounts.Accounts(engine).create_user("admin@trust.nhs.uk", "admin", PASSWORD)
    signins = sessions.Sessions(engine)
    session_id = signins.sign_in("admin@trust.nhs.uk", PASSWORD).session_id
    code, _, _ = run(
        capsys, monkeypatch, "users", "reset-password", "--db", db, "admin@trust.nhs.uk",
        "--password-stdin", stdin="a whole new passphrase\n",
    )  # fmt: skip
    assert code == 0 and signins.session(session_id) is None
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "complaint"),
    [
        (["--role", "admin"], "", "--password-stdin"),  # never from anywhere but stdin
        (["--role", "admin", "--password-stdin"], "", "no password on standard input"),
        (["--role", "admin", "--password-stdin"], "short\n", "at least 12 characters"),
        (["--role", "admin", "--password-stdin"], "password1234\n", "too easy to guess"),
        (["--role", "ward", "--password-stdin"], PASSWORD, "at least one ward"),
        (["--role", "ward", "--ward", "RWD/Ward 7", "--password-stdin"], PASSWORD, "ORG/SITE"),
        (["--role", "ward", "--ward", "rwd/RWDLA/W", "--password-stdin"], PASSWORD, "ODS code"),
        (["--role", "admin", "--ward", "RWD/RWDLA/W", "--password-stdin"], PASSWORD, "every ward"),
        (["--role", "boss", "--password-stdin"], PASSWORD, "invalid choice"),
    ],
)
def test_create_refuses_with_a_sentence(capsys, monkeypatch, db, args, stdin, complaint):
    code, out, err = run(
        capsys, monkeypatch, "users", "create", "--db", db, "--email", "x@trust.nhs.uk", *args,
        stdin=stdin,
    )  # fmt: skip
    assert code != 0 and complaint in err
    assert stdin.strip() not in out or not stdin.strip()


def test_a_second_user_with_the_same_email_and_unknown_users_are_refused(capsys, monkeypatch, db):
    create = ["users", "create", "--db", db, "--email", "a@trust.nhs.uk", "--role", "admin",
              "--password-stdin"]  # fmt: skip
    assert run(capsys, monkeypatch, *create, stdin=PASSWORD)[0] == 0
    code, _, err = run(capsys, monkeypatch, *create, stdin=PASSWORD)
    assert code == 1 and "already a user a@trust.nhs.uk" in err
    code, _, err = run(capsys, monkeypatch, "users", "disable", "--db", db, "b@trust.nhs.uk")
    assert code == 1 and "there is no user b@trust.nhs.uk" in err
    assert run(capsys, monkeypatch, "users", "disable", "--db", db, "a@trust.nhs.uk")[0] == 0
    code, _, err = run(capsys, monkeypatch, "users", "disable", "--db", db, "a@trust.nhs.uk")
    assert code == 1 and "already disabled" in err


def test_serve_takes_the_proxy_options():
    args = cli.parser().parse_args(
        ["serve", "--proxy-headers", "--forwarded-allow-ips", "10.0.0.5,10.0.0.6"]
    )
    assert args.proxy_headers is True and args.forwarded_allow_ips == "10.0.0.5,10.0.0.6"
    assert cli.parser().parse_args(["serve", "--no-proxy-headers"]).proxy_headers is False
