"""Devices: every kiosk with what it last said of itself, the silent ones flagged and first;
revoking a kiosk; and enrolment keys, listed, made (the key shown once, with a QR code of it)
and revoked. Admins only, and every change is in the audit log, in the change's own
transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

import qrcode
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from qrcode.image.svg import SvgPathImage

from sync.server import accounts, devices, figures
from sync.server.accounts import place_words
from sync.server.devices import Place
from sync.server.web import times
from sync.server.web.auth import AdminUser, PageError, WebApp, not_found, web_app
from sync.server.web.render import error_summary, page

router = APIRouter()

#: The Devices page's filter: its value, and the words of its choice.
SHOW = {"all": "All kiosks", "silent": "Silent for more than 24 hours", "revoked": "Revoked"}
KIOSK_REVOKED = devices.KIOSK_REVOKED
KEY_CREATED = devices.KEY_CREATED
KEY_REVOKED = devices.KEY_REVOKED


# -- kiosks -----------------------------------------------------------------------------------


def _order(kiosk: figures.Kiosk, now: datetime) -> int:
    """Silent kiosks first (they need someone to go and look), revoked ones last."""
    if kiosk.silent(now):
        return 0
    return 2 if kiosk.revoked_at else 1


def _kiosk_row(kiosk: figures.Kiosk, now: datetime) -> dict[str, Any]:
    return {
        "device_id": kiosk.device_id,
        "name": kiosk.name,
        "ward": kiosk.place.ward_name,
        "site": f"{kiosk.place.site_code} ({kiosk.place.org_code})",
        "version": kiosk.app_version,
        "enrolled": times.when(kiosk.enrolled_at, now, short=True),
        "last_seen": times.when(kiosk.last_seen_at, now, short=True),
        "last_batch": times.when(kiosk.last_batch_at, now, short=True),
        "pending": kiosk.pending_on_device,
        "error": kiosk.last_sync_error,
        "silent": kiosk.silent(now),
        "revoked": times.when(kiosk.revoked_at, now, short=True),
        "revoke_href": f"/devices/kiosks/{quote(kiosk.device_id, safe='')}/revoke",
    }


def _key_state(key: dict[str, Any], now: datetime) -> tuple[str, str]:
    """The key's state in words and the colour of its tag."""
    expires = accounts.aware(key["expires_at"])
    if key["revoked_at"]:
        return "Revoked", "grey"
    if expires and expires < now:
        return "Expired", "grey"
    if key["uses_left"] == 0:
        return "Used up", "grey"
    return "Active", "green"


def _key_row(key: dict[str, Any], now: datetime) -> dict[str, Any]:
    state, colour = _key_state(key, now)
    expires = accounts.aware(key["expires_at"])
    return {
        "id": key["id"],
        "ward": key["ward_name"],
        "site": f"{key['site_code']} ({key['org_code']})",
        "state": state,
        "colour": colour,
        "uses": "No limit" if key["uses_left"] is None else str(key["uses_left"]),
        "created": times.when(accounts.aware(key["created_at"]), now, short=True),
        "expires": times.london(expires, short=True) if expires else "Never",
        "revoke_href": f"/devices/keys/{key['id']}/revoke" if state == "Active" else "",
    }


@router.get("/devices", response_class=HTMLResponse)
def devices_page(
    request: Request,
    user: AdminUser,
    show: str = "all",
    revoked_kiosk: str = "",
    revoked_key: str = "",
) -> HTMLResponse:
    web = web_app(request)
    now = web.now()
    fleet = sorted(figures.kiosks(web.engine, None), key=lambda kiosk: _order(kiosk, now))
    counts = {
        "all": len(fleet),
        "silent": sum(kiosk.silent(now) for kiosk in fleet),
        "revoked": sum(kiosk.revoked_at is not None for kiosk in fleet),
    }
    if show not in SHOW:
        show = "all"
    shown = [
        kiosk
        for kiosk in fleet
        if show == "all"
        or (show == "silent" and kiosk.silent(now))
        or (show == "revoked" and kiosk.revoked_at is not None)
    ]
    keys = sorted(devices.list_keys(web.engine), key=lambda key: -int(key["id"]))
    # A banner only for what is true now, so a link cannot announce a revocation.
    done = ""
    gone = next((k for k in fleet if k.device_id == revoked_kiosk and k.revoked_at), None)
    if gone:
        done = f"Kiosk {gone.name} on {gone.place.ward_name} is revoked"
    elif any(str(key["id"]) == revoked_key and key["revoked_at"] for key in keys):
        done = f"Enrolment key {revoked_key} is revoked"
    return page(
        request,
        "devices.html",
        done=done,
        show=show,
        filters=[{"value": v, "label": f"{words} ({counts[v]})"} for v, words in SHOW.items()],
        silent_count=counts["silent"],
        kiosks=[_kiosk_row(kiosk, now) for kiosk in shown],
        any_kiosks=bool(fleet),
        keys=[_key_row(key, now) for key in keys],
    )


def _kiosk(web: WebApp, device_id: str) -> figures.Kiosk:
    found = next((k for k in figures.kiosks(web.engine, None) if k.device_id == device_id), None)
    if found is None:
        raise not_found()
    if found.revoked_at is not None:
        raise PageError(
            400,
            "This kiosk is already revoked",
            f"Kiosk {found.name} on {found.place.ward_name} was revoked on "
            f"{times.london(found.revoked_at)}. To use it again, enrol it with a new key.",
            ("/devices", "Go to devices"),
        )
    return found


@router.get("/devices/kiosks/{device_id}/revoke", response_class=HTMLResponse)
def revoke_kiosk_form(request: Request, user: AdminUser, device_id: str) -> HTMLResponse:
    kiosk = _kiosk(web_app(request), device_id)
    return page(
        request,
        "confirm.html",
        title="Revoke kiosk",
        heading=f"Revoke kiosk {kiosk.name} on {kiosk.place.ward_name}?",
        lines=[
            "It will stop syncing until IT enrols it again. Responses still on the kiosk "
            "stay there until then.",
            "Its enrolment key can still enrol a device. If the tablet was lost or stolen, "
            "revoke its key too.",
        ],
        details=[
            ("Ward", f"{kiosk.place.ward_name}, {kiosk.place.site_code} ({kiosk.place.org_code})"),
            ("Device id", kiosk.device_id),
        ],
        action=f"/devices/kiosks/{quote(kiosk.device_id, safe='')}/revoke",
        button="Revoke kiosk",
        back="/devices",
    )


@router.post("/devices/kiosks/{device_id}/revoke")
def revoke_kiosk(request: Request, user: AdminUser, device_id: str) -> Response:
    web = web_app(request)
    kiosk = _kiosk(web, device_id)
    at = web.now()
    with web.engine.begin() as conn:
        if devices.revoke_device_on(conn, kiosk.device_id, at):
            detail = f"{kiosk.name} ({kiosk.device_id}) on {place_words(kiosk.place)}"
            accounts.audit(conn, accounts.Actor.of(user), KIOSK_REVOKED, detail, at)
    target = f"/devices?revoked_kiosk={quote(kiosk.device_id, safe='')}"
    return RedirectResponse(target, status_code=303)


# -- enrolment keys -----------------------------------------------------------------------------


def _number(value: str, largest: int) -> int | None:
    """A whole number from 1 to *largest* in ASCII digits (as the CLI takes), else None."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    number = int(value)
    return number if 1 <= number <= largest else None


def key_form_problems(fields: dict[str, str]) -> dict[str, str]:
    """What is wrong with the new key's fields, by field id, each a sentence saying what to
    write. The rules are the CLI's ``keys create`` and the wire protocol's."""
    errors = {}
    for field, whose, example in (("org", "organisation", "RWD"), ("site", "site", "RWDLA")):
        if not fields[field]:
            errors[field] = f"Enter the {whose}'s ODS code, for example {example}"
        elif not devices.is_ods_code(fields[field]):
            errors[field] = (
                f"The {whose}'s ODS code must be 3 to 9 capital letters and numbers, for "
                f"example {example}"
            )
    ward, as_kiosk = fields["ward"], "exactly as the kiosk's kiosk.toml has [location] ward_name"
    if not ward.strip():
        errors["ward"] = f"Enter the ward name, {as_kiosk}"
    elif ward != ward.strip():
        errors["ward"] = (
            f"Remove the spaces at the start or end of the ward name: write it {as_kiosk}"
        )
    elif not devices.is_ward_name(ward):
        errors["ward"] = f"The ward name must be 1 to 100 letters, numbers or symbols, {as_kiosk}"
    if fields["uses"] and _number(fields["uses"], devices.LARGEST_NUMBER) is None:
        errors["uses"] = (
            f"Uses must be a whole number from 1 to {devices.LARGEST_NUMBER}, or leave it "
            "empty for no limit"
        )
    if fields["expires"] and _number(fields["expires"], devices.LONGEST_KEY_DAYS) is None:
        errors["expires"] = (
            f"Days until it expires must be a whole number from 1 to {devices.LONGEST_KEY_DAYS}"
            ", or leave it empty for a key that does not expire"
        )
    return errors


def _key_form(
    request: Request, fields: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    known = figures.known_wards(web_app(request).engine, None)
    return page(
        request,
        "key_new.html",
        status=status,
        fields=fields,
        errors=errors,
        summary=error_summary(errors),
        orgs=sorted({place.org_code for place in known}),
        sites=sorted({place.site_code for place in known}),
        wards=sorted({place.ward_name for place in known}),
    )


@router.get("/devices/keys/new", response_class=HTMLResponse)
def new_key_form(request: Request, user: AdminUser) -> HTMLResponse:
    empty = dict.fromkeys(("org", "site", "ward", "uses", "expires"), "")
    return _key_form(request, {**empty, "uses": "1", "expires": "7"}, {})


@router.post("/devices/keys/new", response_class=HTMLResponse)
def create_key(
    request: Request,
    user: AdminUser,
    org: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    ward: Annotated[str, Form()] = "",
    uses: Annotated[str, Form()] = "",
    expires: Annotated[str, Form()] = "",
) -> HTMLResponse:
    fields = {
        "org": org.strip().upper(),
        "site": site.strip().upper(),
        "ward": ward,
        "uses": uses.strip(),
        "expires": expires.strip(),
    }
    errors = key_form_problems(fields)
    if errors:
        return _key_form(request, fields, errors, 400)
    web = web_app(request)
    place = Place(fields["org"], fields["site"], ward)
    uses_left = _number(fields["uses"], devices.LARGEST_NUMBER)
    days = _number(fields["expires"], devices.LONGEST_KEY_DAYS)
    new_ward = place not in figures.known_wards(web.engine, None)
    at = web.now()
    with web.engine.begin() as conn:
        key_id, key = devices.create_key_on(conn, place, days, uses_left, at)
        expiry = times.london_day(at + timedelta(days=days)) if days else "never"
        detail = (
            f"key {key_id} for {place_words(place)}; uses: {uses_left or 'no limit'}; "
            f"expires: {expiry}"
        )
        accounts.audit(conn, accounts.Actor.of(user), KEY_CREATED, detail, at)
    response = page(
        request,
        "key_created.html",
        key=key,
        key_id=key_id,
        qr=key_qr(key),
        place=place,
        uses="No limit" if uses_left is None else str(uses_left),
        expires=times.london(at + timedelta(days=days)) if days else "Never",
        new_ward=new_ward,
    )
    # The key exists nowhere else: no cache or back button may keep this page.
    response.headers["Cache-Control"] = "no-store"
    return response


def key_qr(key: str) -> Markup:
    """The key as a QR code, drawn on the server as SVG (``qrcode``'s path, in a frame of
    our own: a white quiet zone, no style attribute, so the page's CSP allows it inline)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=SvgPathImage
    )
    code.add_data(key)
    code.make(fit=True)
    path = code.make_image().path.get("d")
    size = code.modules_count + 2 * code.border
    return Markup(
        f'<svg class="app-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-labelledby="key-qr-title" focusable="false" shape-rendering="crispEdges">'
        '<title id="key-qr-title">QR code of the enrolment key shown above</title>'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path d="{escape(path)}" fill="#000000"/></svg>'
    )


def _key(web: WebApp, key_id: str) -> dict[str, Any]:
    number = _number(key_id, devices.LARGEST_NUMBER) if key_id.strip() == key_id else None
    found = next((k for k in devices.list_keys(web.engine) if k["id"] == number), None)
    if found is None:
        raise not_found()
    if found["revoked_at"]:
        raise PageError(
            400,
            "This key is already revoked",
            f"Enrolment key {found['id']} was revoked on "
            f"{times.london(accounts.aware(found['revoked_at']) or web.now())}.",
            ("/devices#keys", "Go to devices"),
        )
    return found


@router.get("/devices/keys/{key_id}/revoke", response_class=HTMLResponse)
def revoke_key_form(request: Request, user: AdminUser, key_id: str) -> HTMLResponse:
    key = _key(web_app(request), key_id)
    return page(
        request,
        "confirm.html",
        title="Revoke enrolment key",
        heading=f"Revoke enrolment key {key['id']} for {key['ward_name']}?",
        lines=[
            "No kiosk can enrol with it after this. Kiosks already enrolled with it keep "
            "syncing: revoke them on the Devices page if you need to."
        ],
        details=[("Ward", f"{key['ward_name']}, {key['site_code']} ({key['org_code']})")],
        action=f"/devices/keys/{key['id']}/revoke",
        button="Revoke key",
        back="/devices#keys",
    )


@router.post("/devices/keys/{key_id}/revoke")
def revoke_key(request: Request, user: AdminUser, key_id: str) -> Response:
    web = web_app(request)
    key = _key(web, key_id)
    place = Place(key["org_code"], key["site_code"], key["ward_name"])
    at = web.now()
    with web.engine.begin() as conn:
        if devices.revoke_key_on(conn, key["id"], at):
            detail = f"key {key['id']} for {place_words(place)}"
            accounts.audit(conn, accounts.Actor.of(user), KEY_REVOKED, detail, at)
    return RedirectResponse(f"/devices?revoked_key={key['id']}#keys", status_code=303)
