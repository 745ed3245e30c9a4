"""The web app's pages: one module per page (or group of pages), each with its ``router``.

A new page adds its module here and to ``ROUTERS``; ``web.install`` includes each router with
the CSRF check, so every POST it declares is protected without further work.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.web.pages import (
    alerts,
    audit,
    comment,
    fleet,
    login,
    overview,
    people,
    submission,
    ward,
)

ROUTERS: tuple[APIRouter, ...] = (
    login.router,
    overview.router,
    ward.router,
    comment.router,
    submission.router,
    fleet.router,
    people.router,
    audit.router,
    alerts.router,
)
