"""A kiosk runs for months: painting must not slowly corrupt the interpreter.

PySide6 6.12.0 dropped a reference to ``None`` on every void-returning call such as
``QPainter.drawRoundedRect``; after enough repaints Python aborted ("deallocating None").
"""

from __future__ import annotations

import sys


def test_repainting_the_faces_leaves_none_alone(qtbot, make_kiosk):
    window = make_kiosk()
    faces = list(window.question.faces.values())
    before = sys.getrefcount(None)
    for _ in range(200):
        for face in faces:
            face.repaint()
    assert sys.getrefcount(None) >= before - 100  # 1,200 paints; a leak loses thousands
