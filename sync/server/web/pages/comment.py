"""A comment's own page: the patient's words, what they talk about and how they feel (the
model's tags, or a person's correction of them), and the form that corrects the tags. Ward
users correct their own wards' comments, admins any. Corrections are kept apart from the
model's tags and audited; admins download them all as new training data.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sync import fft, safeguarding
from sync.server import accounts, comment_tags, tag_training
from sync.server.comment_tags import Tags
from sync.server.devices import Place
from sync.server.ward_responses import Comment
from sync.server.web.auth import AdminUser, CurrentUser, not_found, require_ward, web_app
from sync.server.web.pages.ward_comments import comment_item, comment_link, plain
from sync.server.web.render import page
from sync.server.web.sparkline import month_name

router = APIRouter()
#: The corrections as new training data (admins).
CORRECTIONS_CSV = "/comments/corrections.csv"
#: The sentiment choice that leaves it out (the correction's sentiment is then NULL).
NOT_SURE = ""


def _found(
    request: Request, user: accounts.User, response_id: str
) -> tuple[Place, Comment, Tags | None]:
    """The comment, if it exists and the user may see its ward; the 404 page otherwise."""
    if not (0 < len(response_id) <= 36 and plain(response_id)):
        raise not_found()
    found = comment_tags.comment(web_app(request).engine, response_id)
    if found is None:
        raise not_found()
    require_ward(user, found[0])
    return found


def place_words(place: Place) -> str:
    return f"{place.ward_name}, {place.site_code} ({place.org_code})"


def _ward_link(place: Place, comment: Comment) -> str:
    """The ward page for the comment's month, at its comments."""
    query = {
        "org": place.org_code,
        "site": place.site_code,
        "ward": place.ward_name,
        "month": comment.local_date.strftime("%Y-%m"),
    }
    return f"/ward?{urlencode(query)}#comments"


def _theme_choices(tags: Tags | None, chosen: set[str]) -> list[dict[str, Any]]:
    """Every framework theme, in the framework's order, with any the tags hold that the model
    no longer gives after them; those in *chosen* ticked."""
    known = list(comment_tags.framework_themes())
    extra = sorted(set(tags.themes if tags else ()) - set(known))
    return [{"name": name, "checked": name in chosen} for name in [*known, *extra]]


@router.get(CORRECTIONS_CSV)
def corrections_csv(request: Request, user: AdminUser) -> Response:
    """Every corrected comment with its newest correction: the training data's columns, the
    patient's words and the model's tags before; every cell spreadsheet-safe."""
    body = tag_training.corrections_csv(web_app(request).engine)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="comment-tag-corrections.csv"',
            # Patients' words: no shared cache or back button should keep them.
            "Cache-Control": "no-store",
        },
    )


@router.get("/comments/{response_id}", response_class=HTMLResponse)
def comment_page(
    request: Request, user: CurrentUser, response_id: str, saved: str = ""
) -> HTMLResponse:
    place, comment, tags = _found(request, user, response_id)
    return _page(request, user, place, comment, tags, saved=saved == "1" and bool(tags))


def _page(
    request: Request,
    user: accounts.User,
    place: Place,
    comment: Comment,
    tags: Tags | None,
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    chosen: tuple[set[str], str] | None = None,
) -> HTMLResponse:
    """The page; *chosen* (themes, sentiment) is what a refused form sent, shown again."""
    themes, sentiment = chosen or (
        set(tags.themes if tags else ()),
        str(tags.sentiment) if tags and tags.sentiment else NOT_SURE,
    )
    model = None
    if tags is not None and tags.corrected:
        model = comment_tags.model_tags(web_app(request).engine, comment.id)
    return page(
        request,
        "comment.html",
        status=400 if errors else 200,
        place=place,
        where=place_words(place),
        month=month_name(comment.local_date),
        comment=comment_item(comment, tags, safeguarding.DEFAULT_WORDS),
        answer=fft.CODES.get(comment.rating, str(comment.rating)),
        model=None if model is None else _model_words(model),
        saved=saved,
        errors=errors or {},
        error_items=[{"text": t, "href": f"#{f}"} for f, t in (errors or {}).items()],
        theme_choices=_theme_choices(tags, themes),
        sentiments=[
            {"value": str(level), "words": words, "checked": str(level) == sentiment}
            for level, words in comment_tags.SENTIMENTS.items()
        ],
        not_sure=sentiment == NOT_SURE,
        action=f"{comment_link(comment.id)}/tags",
        ward_href=_ward_link(place, comment),
        corrections_href=CORRECTIONS_CSV if user.is_admin else "",
    )


def _model_words(tags: Tags) -> dict[str, Any]:
    return {
        "themes": list(tags.themes),
        "sentiment": comment_tags.sentiment_words(tags.sentiment),
        "version": tags.model_version,
    }


@router.post("/comments/{response_id}/tags")
def correct_tags(
    request: Request,
    user: CurrentUser,
    response_id: str,
    theme: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies it)
    sentiment: Annotated[str, Form()] = NOT_SURE,
) -> Response:
    place, comment, tags = _found(request, user, response_id)
    allowed = {choice["name"] for choice in _theme_choices(tags, set())}
    chosen = set(theme)
    errors: dict[str, str] = {}
    if not chosen <= allowed or len(chosen) > comment_tags.MOST_THEMES:
        errors["theme"] = "Tick themes from the list only"
    if sentiment != NOT_SURE and sentiment not in {str(s) for s in comment_tags.SENTIMENTS}:
        errors["sentiment"] = "Choose how the comment feels from the list, or Not sure"
    if errors:
        safe = (chosen & allowed, sentiment if sentiment.isdigit() else NOT_SURE)
        return _page(request, user, place, comment, tags, errors=errors, chosen=safe)
    web = web_app(request)
    ordered = [choice["name"] for choice in _theme_choices(tags, set()) if choice["name"] in chosen]
    comment_tags.correct(
        web.engine,
        comment.id,
        ordered,
        int(sentiment) if sentiment else None,
        accounts.Actor.of(user),
        web.now(),
        place_words(place),
    )
    return RedirectResponse(f"/comments/{quote(comment.id, safe='')}?saved=1", status_code=303)
