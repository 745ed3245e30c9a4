"""What every web response carries for safety: the security headers, and where a sign-in may
send the browser next (only back into this site).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Nothing from another origin, no inline script or style, never inside a frame.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


#: Downloads that hold patients' words or true counts; kept by no cache, as pages are.
PRIVATE_DOWNLOADS = ("text/csv",)


class SecurityHeaders:
    """Adds ``X-Content-Type-Options`` and ``Referrer-Policy`` to every response; to every
    HTML page the content security policy, ``X-Frame-Options: DENY`` (frame-ancestors for
    browsers too old for CSP) and ``Cache-Control: no-store`` (pages hold patients' comments
    and CSRF tokens, which no shared cache or back button should keep); and ``no-store`` to
    every CSV download too, whichever page makes it.

    *exempt* paths (FastAPI's /docs, which loads Swagger UI from a CDN) get no policy.
    """

    def __init__(self, app: ASGIApp, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = scope.get("path", "") in self.exempt

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                kind = headers.get("content-type", "")
                if kind.startswith("text/html") and not exempt:
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Cache-Control", "no-store")
                elif kind.startswith(PRIVATE_DOWNLOADS):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def safe_next(target: str | None, default: str = "/") -> str:
    """*target* if it is a path on this site (``/overview?month=2026-11``), else *default*.

    Refuses anything a browser could take off-site: a scheme or host (``https://evil``),
    a protocol-relative ``//evil``, backslashes (``/\\evil``, which browsers read as ``//``),
    and control characters.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or len(target) > 2000:
        return default
    return target
