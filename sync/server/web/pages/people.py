"""Users: everyone who signs in to the web app, and an admin's changes to them (adding a user,
turning one off, setting a new password), with the same rules as the ``users`` commands and
every change in the audit log (``accounts.Accounts`` writes it, with the admin as actor).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sync.server import accounts, devices, figures
from sync.server.accounts import Actor, User, place_order, place_words
from sync.server.devices import Place
from sync.server.web import times
from sync.server.web.auth import LOGIN_PATH, AdminUser, PageError, not_found, web_app
from sync.server.web.render import error_summary, page

router = APIRouter()
ROLE_NAMES = {"admin": "Admin", "ward": "Ward user"}
#: More wards than any one person looks after: a bigger list is a mistake, not a job.
MOST_WARDS = 500
WARD_EXAMPLE = "RWD/RWDLA/Ward 7"


def _sentence(problem: str) -> str:
    """An ``accounts`` problem ("the password is ...") as an error message ("The password")."""
    return problem[:1].upper() + problem[1:]


def _short(value: str, most: int = 40) -> str:
    return value if len(value) <= most else value[: most - 1] + "…"


def _row(person: User, me: User, known: set[Place], now: datetime) -> dict[str, Any]:
    if person.disabled_at is not None:
        state, colour = f"Disabled on {times.london_day(person.disabled_at)}", "grey"
    elif person.locked_until is not None and person.locked_until > now:
        state, colour = f"Locked until {times.london(person.locked_until)}", "orange"
    else:
        state, colour = "Active", "green"
    return {
        "id": person.id,
        "name": person.display_name,
        "email": person.email,
        "role": ROLE_NAMES.get(person.role, person.role),
        "wards": [
            {"words": place_words(place), "known": place in known}
            for place in sorted(person.wards, key=place_order)
        ],
        "unknown_wards": not person.wards <= known,
        "state": state,
        "colour": colour,
        "last_sign_in": times.when(person.last_login_at, now, short=True),
        "active": person.disabled_at is None,
        "me": person.id == me.id,
    }


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    user: AdminUser,
    created: str = "",
    disabled: str = "",
    reset: str = "",
) -> HTMLResponse:
    web = web_app(request)
    now = web.now()
    people = web.accounts.users()
    known = set(figures.known_wards(web.engine, None))
    by_id = {str(person.id): person for person in people}
    done = ""
    # Banners only for what is so, so a link cannot announce a change that was not made.
    if created in by_id:
        done = f"{by_id[created].email} can now sign in"
    elif disabled in by_id and by_id[disabled].disabled_at is not None:
        done = f"{by_id[disabled].email} is disabled: they cannot sign in any more"
    elif reset in by_id:
        done = f"The password for {by_id[reset].email} is changed, and their sessions have ended"
    return page(
        request,
        "users.html",
        done=done,
        after_reset=bool(reset in by_id),
        rows=[_row(person, user, known, now) for person in people],
    )


# -- adding a user ------------------------------------------------------------------------------


def parse_wards(text: str) -> tuple[list[Place], str]:
    """The wards in *text*, one ``ORG/SITE/WARD_NAME`` a line (as ``users create --ward``:
    only the first two slashes separate, so a ward name may hold ``/``), and the first
    problem as an error message ("" if none)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MOST_WARDS:
        return [], f"Enter {MOST_WARDS} wards or fewer"
    wards = []
    for number, line in enumerate(lines, 1):
        org, _, rest = line.partition("/")
        site, slash, ward = rest.partition("/")
        if not slash or not (devices.is_ods_code(org) and devices.is_ods_code(site)):
            return [], (
                f"Line {number} ({_short(line)}) is not a ward: write each ward on a line of "
                f"its own as ORG/SITE/WARD_NAME, for example {WARD_EXAMPLE}"
            )
        if not devices.is_ward_name(ward):
            return [], (
                f"Line {number}: the ward name must be 1 to 100 letters, numbers or symbols, "
                "exactly as the kiosk's kiosk.toml has it"
            )
        wards.append(Place(org, site, ward))
    return wards, ""


def password_problems(password: str, again: str, email: str) -> dict[str, str]:
    errors = {}
    problem = accounts.password_problem(password, email)
    if not password:
        errors["password"] = "Enter a password"
    elif problem:
        errors["password"] = _sentence(problem)
    elif again != password:
        errors["password_again"] = "The passwords do not match: type the same password twice"
    return errors


def user_problems(
    fields: dict[str, str], wards: list[Place], wards_problem: str, taken: bool
) -> dict[str, str]:
    """What is wrong with a new user's fields, by field id, as NHS error messages."""
    errors = {}
    email = accounts.normalise_email(fields["email"])
    if not email:
        errors["email"] = "Enter their email address"
    elif accounts.email_problem(email):
        errors["email"] = "Enter an email address in the right format, like name@trust.nhs.uk"
    elif taken:
        errors["email"] = f"There is already a user {_short(email, 60)}"
    if len(fields["name"].strip()) > 100:
        errors["name"] = "Enter a name of 100 characters or fewer"
    if fields["role"] not in accounts.ROLES:
        errors["role"] = "Choose whether they are an admin or a ward user"
    if wards_problem:
        errors["wards"] = wards_problem
    elif fields["role"] == "ward" and not wards:
        errors["wards"] = f"Enter at least one ward for a ward user, for example {WARD_EXAMPLE}"
    elif fields["role"] == "admin" and wards:
        errors["wards"] = "Leave the wards empty for an admin: an admin sees every ward"
    return errors


def _new_form(
    request: Request, fields: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    known = figures.known_wards(web_app(request).engine, None)
    return page(
        request,
        "user_new.html",
        status=status,
        fields=fields,
        errors=errors,
        summary=error_summary(errors),
        roles=[
            {
                "value": "admin",
                "label": "Admin",
                "hint": "Sees every ward, devices, users and the audit log",
            },
            {"value": "ward", "label": "Ward user", "hint": "Sees only the wards listed below"},
        ],
        known=[place_words(place) for place in known],
    )


@router.get("/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, user: AdminUser) -> HTMLResponse:
    return _new_form(request, dict.fromkeys(("email", "name", "role", "wards"), ""), {})


@router.post("/users/new", response_class=HTMLResponse)
def create_user(
    request: Request,
    user: AdminUser,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    wards: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
) -> Response:
    web = web_app(request)
    fields = {"email": email.strip(), "name": name, "role": role, "wards": wards}
    places, wards_problem = parse_wards(wards)
    address = accounts.normalise_email(email)
    taken = not accounts.email_problem(address) and web.accounts.user(address) is not None
    errors = user_problems(fields, places, wards_problem, taken)
    errors |= password_problems(password, password_again, address)
    if errors:
        return _new_form(request, fields, errors, 400)
    try:
        made = web.accounts.create_user(
            address, role, password, places, display_name=name, actor=Actor.of(user)
        )
    except accounts.AccountError as exc:  # someone added the same email a moment ago
        return _new_form(request, fields, {"email": _sentence(str(exc))}, 400)
    return RedirectResponse(f"/users?created={made.id}", status_code=303)


# -- changing a user ----------------------------------------------------------------------------


def _person(request: Request, user_id: str) -> User:
    number = int(user_id) if user_id.isascii() and user_id.isdigit() and len(user_id) < 10 else 0
    person = web_app(request).accounts.user_by_id(number) if number else None
    if person is None:
        raise not_found()
    if person.disabled_at is not None:
        raise PageError(
            400,
            "This user is disabled",
            f"{person.email} was disabled on {times.london_day(person.disabled_at)}, so they "
            "cannot sign in. To let them back in, add them again with another email address.",
            ("/users", "Go to users"),
        )
    return person


@router.get("/users/{user_id}/disable", response_class=HTMLResponse)
def disable_form(request: Request, user: AdminUser, user_id: str) -> HTMLResponse:
    person = _person(request, user_id)
    _not_me(person, user)
    return page(
        request,
        "confirm.html",
        title="Disable user",
        heading=f"Disable {person.email}?",
        lines=[
            "They will not be able to sign in, and any page they have open will ask them to "
            "sign in again. The audit log keeps what they did."
        ],
        details=[("Name", person.display_name or person.email), ("Role", ROLE_NAMES[person.role])],
        action=f"/users/{person.id}/disable",
        button="Disable user",
        back="/users",
    )


def _not_me(person: User, user: User) -> None:
    if person.id == user.id:
        raise PageError(
            400,
            "You cannot disable your own account",
            "So that the trust is never left without an admin, another admin must do it.",
            ("/users", "Go to users"),
        )


@router.post("/users/{user_id}/disable")
def disable(request: Request, user: AdminUser, user_id: str) -> Response:
    person = _person(request, user_id)
    _not_me(person, user)
    # Disabled a moment ago by someone else: the list shows it.
    with suppress(accounts.AccountError):
        web_app(request).accounts.disable(person.email, actor=Actor.of(user))
    return RedirectResponse(f"/users?disabled={person.id}", status_code=303)


def _password_form(
    request: Request, person: User, me: User, errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return page(
        request,
        "user_password.html",
        status=status,
        person=person,
        me=person.id == me.id,
        errors=errors,
        summary=error_summary(errors),
    )


@router.get("/users/{user_id}/password", response_class=HTMLResponse)
def password_form(request: Request, user: AdminUser, user_id: str) -> HTMLResponse:
    return _password_form(request, _person(request, user_id), user, {})


@router.post("/users/{user_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    user: AdminUser,
    user_id: str,
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
) -> Response:
    person = _person(request, user_id)
    errors = password_problems(password, password_again, person.email)
    if errors:
        return _password_form(request, person, user, errors, 400)
    web_app(request).accounts.reset_password(person.email, password, actor=Actor.of(user))
    # A new password ends every session of theirs: an admin's own included.
    target = LOGIN_PATH if person.id == user.id else f"/users?reset={person.id}"
    return RedirectResponse(target, status_code=303)
