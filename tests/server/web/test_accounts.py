"""Accounts and sessions without a browser: password hashes, the password rules, throttling,
session expiry and what ends a session, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sync.server import accounts, sessions
from sync.server.accounts import AccountError
from sync.server.schema import audit_log, users, web_sessions
from sync.server.sessions import Outcome
from tests.server.conftest import WARD_7
from tests.server.web.conftest import PASSWORD


def test_a_password_hash_is_salted_scrypt_and_checks_only_the_right_password():
    first, second = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    name, n, r, p, salt, digest = first.split("$")
    assert (name, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert first != second  # a fresh salt each time
    assert PASSWORD not in first
    assert accounts.verify_password(PASSWORD, first)
    assert not accounts.verify_password(PASSWORD + " ", first)
    assert not accounts.verify_password("", first)


@pytest.mark.parametrize(
    "stored", [None, "", "scrypt$1$8$1$00$00", "bcrypt$x", "scrypt$16384$8$1$zz$zz", "$$$$$"]
)
def test_an_unusable_hash_never_matches(stored):
    assert not accounts.verify_password(PASSWORD, stored)


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short", "at least 12 characters"),
        ("Password1234", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("ward7-manager-2026", "too easy to guess"),  # the email's own name in it
        ("x" * 1025, "shorter one"),
    ],
)
def test_weak_passwords_are_refused_with_what_is_wanted(password, words):
    problem = accounts.password_problem(password, "ward7-manager@trust.nhs.uk")
    assert problem is not None and words in problem


def test_a_good_password_passes():
    assert accounts.password_problem(PASSWORD, "ward7@trust.nhs.uk") is None


def test_users_are_kept_by_trimmed_lower_case_email_with_their_wards(engine, people):
    made = people.create_user(" Ward7@Trust.NHS.uk ", "ward", PASSWORD, wards=[WARD_7])
    assert made.email == "ward7@trust.nhs.uk" and made.wards == {WARD_7}
    assert made.scope == {WARD_7} and not made.is_admin
    assert people.user("WARD7@trust.nhs.uk") == made
    with pytest.raises(AccountError, match="already a user"):
        people.create_user("ward7@trust.nhs.uk", "ward", PASSWORD, wards=[WARD_7])
    with engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt$") and PASSWORD not in stored


@pytest.mark.parametrize(
    ("role", "wards", "words"),
    [
        ("ward", [], "at least one ward"),
        ("admin", [WARD_7], "leave out --ward"),
        ("boss", [], "not one of admin, ward"),
    ],
)
def test_roles_and_wards_must_agree(people, role, wards, words):
    with pytest.raises(AccountError, match=words):
        people.create_user("someone@trust.nhs.uk", role, PASSWORD, wards=wards)


def test_sign_in_starts_a_session_stored_only_as_its_hash(engine, admin, signins):
    result = signins.sign_in("ADMIN@trust.nhs.uk", PASSWORD, "203.0.113.9")
    assert result.outcome is Outcome.SIGNED_IN and result.user is not None
    assert result.user.id == admin.id and result.user.last_login_at is not None
    assert len(result.session_id) >= 43  # 32 random bytes
    with engine.connect() as conn:
        stored = conn.execute(sa.select(web_sessions.c.id_hash)).scalar_one()
    assert stored == hashlib.sha256(result.session_id.encode()).hexdigest()
    session = signins.session(result.session_id)
    assert session is not None and session.user.email == admin.email
    assert len(session.csrf_token) >= 43


def test_five_wrong_passwords_lock_the_account_for_a_minute_doubling_to_fifteen(
    admin, signins, clock
):
    for _ in range(5):
        assert signins.sign_in(admin.email, "not the password").outcome is Outcome.WRONG
    locked = signins.sign_in(admin.email, PASSWORD)  # even the right one, while locked
    assert locked.outcome is Outcome.LOCKED
    assert locked.retry_at == clock() + timedelta(minutes=1)
    waits = []
    for _ in range(8):
        clock.advance(minutes=16)
        assert signins.sign_in(admin.email, "not the password").outcome is Outcome.WRONG
        retry_at = signins.sign_in(admin.email, PASSWORD).retry_at
        assert retry_at is not None
        waits.append(retry_at - clock())
    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 15, 15, 15, 15, 15)]
    clock.advance(minutes=15)
    assert signins.sign_in(admin.email, PASSWORD).outcome is Outcome.SIGNED_IN
    assert signins.sign_in(admin.email, "wrong once").outcome is Outcome.WRONG  # count reset


def test_the_lock_never_overflows(engine, admin, signins, clock):
    with engine.begin() as conn:
        conn.execute(users.update().values(failed_logins=2**31 - 10))
    assert signins.sign_in(admin.email, "wrong").outcome is Outcome.WRONG
    assert sessions.lock_for(10**9) == sessions.LONGEST_LOCK
    clock.advance(minutes=15)
    assert signins.sign_in(admin.email, PASSWORD).outcome is Outcome.SIGNED_IN


def test_unknown_emails_and_wrong_passwords_are_audited_and_limit_the_network(
    engine, admin, signins, clock, monkeypatch
):
    monkeypatch.setattr(sessions, "NETWORK_LIMIT", 3)
    for email in ("nobody@trust.nhs.uk", admin.email, "someone@else.org"):
        assert signins.sign_in(email, "guess guess guess", "198.51.100.7").outcome is Outcome.WRONG
    refused = signins.sign_in(admin.email, PASSWORD, "198.51.100.7")
    assert refused.outcome is Outcome.NETWORK_LOCKED
    assert refused.retry_at == clock() + sessions.NETWORK_WINDOW
    # Another address is not held up, and the window passes.
    assert signins.sign_in(admin.email, PASSWORD, "192.0.2.1").outcome is Outcome.SIGNED_IN
    clock.advance(minutes=16)
    assert signins.sign_in(admin.email, PASSWORD, "198.51.100.7").outcome is Outcome.SIGNED_IN
    with engine.connect() as conn:
        failed = conn.execute(
            sa.select(audit_log.c.actor).where(audit_log.c.action == "sign-in failed")
        ).scalars()
        assert sorted(failed) == ["(unknown email)", "(unknown email)", admin.email]


def test_a_session_ends_after_30_idle_minutes_and_after_8_hours_whatever(
    engine, admin, signins, clock
):
    idle = signins.sign_in(admin.email, PASSWORD).session_id
    clock.advance(minutes=29, seconds=59)
    assert signins.session(idle) is not None
    clock.advance(minutes=30)
    assert signins.session(idle) is None
    busy = signins.sign_in(admin.email, PASSWORD).session_id
    for _ in range(8 * 3):
        assert signins.session(busy) is not None
        clock.advance(minutes=20)
    assert signins.session(busy) is None
    with engine.connect() as conn:  # ended sessions are gone from the database
        assert conn.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 0


def test_a_session_is_written_to_at_most_once_a_minute(engine, admin, signins, clock):
    session_id = signins.sign_in(admin.email, PASSWORD).session_id

    def last_seen():
        with engine.connect() as conn:
            return accounts.aware(conn.execute(sa.select(web_sessions.c.last_seen_at)).scalar())

    started = last_seen()
    clock.advance(seconds=59)
    signins.session(session_id)
    assert last_seen() == started
    clock.advance(seconds=1)
    signins.session(session_id)
    assert last_seen() == clock()


def test_disabling_or_resetting_ends_sessions_and_disabled_users_cannot_sign_in(
    admin, people, signins
):
    first = signins.sign_in(admin.email, PASSWORD).session_id
    people.reset_password(admin.email, "a brand new passphrase")
    assert signins.session(first) is None
    assert signins.sign_in(admin.email, PASSWORD).outcome is Outcome.WRONG
    second = signins.sign_in(admin.email, "a brand new passphrase").session_id
    people.disable(admin.email)
    assert signins.session(second) is None
    # The right password on a disabled account says so; a wrong one says nothing more.
    assert signins.sign_in(admin.email, "a brand new passphrase").outcome is Outcome.DISABLED
    assert signins.sign_in(admin.email, "wrong password!").outcome is Outcome.WRONG


def test_signing_in_again_ends_the_session_the_browser_had(admin, signins):
    first = signins.sign_in(admin.email, PASSWORD).session_id
    second = signins.sign_in(admin.email, PASSWORD, ending=first).session_id
    assert second != first
    assert signins.session(first) is None and signins.session(second) is not None
    signins.sign_out(second)
    assert signins.session(second) is None
