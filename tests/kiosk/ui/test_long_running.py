"""A kiosk runs for months: painting must not slowly corrupt the interpreter.

PySide6 6.12.0 dropped a reference to ``None`` on every void-returning call such as
``QPainter.drawRoundedRect``; after enough repaints Python aborted ("deallocating None"). On
Python 3.12+ None is immortal, so its count shows nothing there: the release is checked by
version on every Python, and the count is watched where it means something.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.metadata
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import PySide6
import pytest
import shiboken6
from packaging.requirements import Requirement
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

# Releases that lose a reference to None on each void call.
KNOWN_BAD = {"6.12.0"}
QT_DISTRIBUTIONS = ("PySide6-Essentials", "PySide6-Addons", "shiboken6")
PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def _installed() -> dict[str, str]:
    versions = {"PySide6": PySide6.__version__, "shiboken6 (module)": shiboken6.__version__}
    for name in QT_DISTRIBUTIONS:
        # A frozen build has no package metadata; the module versions above still count.
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def _refcounts_observable() -> bool:
    before = sys.getrefcount(None)
    held = [None] * 1000
    observed = sys.getrefcount(None) - before
    del held
    return observed >= 1000


needs_refcounts = pytest.mark.skipif(
    not _refcounts_observable(),
    reason="None is immortal on this Python (3.12+), so its count never moves; the version "
    "checks guard it here",
)


def references_lost(action: Callable[[], object], times: int) -> int:
    """How many references to None *times* calls of *action* took away."""
    before = sys.getrefcount(None)
    for _ in range(times):
        action()
    return before - sys.getrefcount(None)


def test_the_installed_pyside6_is_not_a_known_bad_release():
    bad = {name: version for name, version in _installed().items() if version in KNOWN_BAD}
    assert not bad, f"{bad}: this release aborts a long-running kiosk; install another"


def test_the_project_refuses_the_known_bad_releases():
    # A dependency bump that lets a bad release back in fails here, before a ward gets it.
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    pins = [Requirement(text) for text in project["dependencies"]]
    qt_pins = [pin for pin in pins if pin.name in QT_DISTRIBUTIONS]
    assert qt_pins, "pyproject.toml should pin PySide6-Essentials"
    for pin in qt_pins:
        allowed = [bad for bad in KNOWN_BAD if pin.specifier.contains(bad, prereleases=True)]
        assert not allowed, f"pyproject.toml's {pin} allows {allowed}"


@needs_refcounts
def test_void_painter_calls_leave_none_alone(qapp):
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    card = QRectF(4, 4, 56, 56)
    pen = QPen(QColor("#005EB8"), 6)

    def paint() -> None:
        painter.setPen(pen)
        painter.drawRoundedRect(card, 16, 16)
        painter.drawEllipse(card)

    try:
        lost = references_lost(paint, 5_000)
    finally:
        painter.end()
    assert lost < 500, f"15,000 void calls took {lost} references to None"


@needs_refcounts
def test_repainting_the_faces_leaves_none_alone(qtbot, make_kiosk):
    window = make_kiosk()
    faces = list(window.question.faces.values())

    def repaint_all() -> None:
        for face in faces:
            face.repaint()

    lost = references_lost(repaint_all, 200)
    assert lost < 100, f"1,200 face paints took {lost} references to None"


@needs_refcounts
def test_the_check_sees_a_leak_like_the_bad_release():
    # Without this, the two tests above could pass by measuring nothing.
    leaks = 2_000
    assert sys.getrefcount(None) > 10 * leaks
    decref, incref = ctypes.pythonapi.Py_DecRef, ctypes.pythonapi.Py_IncRef
    decref.argtypes = incref.argtypes = [ctypes.py_object]
    try:
        lost = references_lost(lambda: decref(None), leaks)
    finally:
        for _ in range(leaks):
            incref(None)
    assert lost >= leaks - 100
