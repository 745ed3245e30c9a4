"""Large text that stays large, and nothing overlapping or cut off, in every script the kiosk
ships (en, cy, ur at three window sizes; one language per other bundled font at the two tablet
orientations), text size, look and window size, on every patient screen and the "more time"
prompt. Checked by what is on screen: the rectangles of the visible controls and texts, the
words' ink as Qt lays them out, and each face's pictogram measured in grabbed pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk.resources import icons_dir
from kiosk.survey import load_survey
from kiosk.ui.widgets.face_button import FACE_FILES, FaceButton
from kiosk.ui.widgets.qr import QrCode
from tests.helpers import choose_language

SIZES = [(1280, 800), (800, 1280), (1920, 1080)]
LANGUAGES = ["en", "cy", "ur"]


def _one_per_script() -> list[str]:
    """The first language of the standard survey drawn by each other bundled font: every
    script's shapes and sizes (Naskh, Bengali, Tamil's long words, Chinese) are laid out."""
    survey = load_survey("fft-inpatient")
    seen = {survey.language(code).font for code in LANGUAGES}
    found = []
    for language in survey.languages:
        if language.font not in seen:
            seen.add(language.font)
            found.append(language.code)
    return found


#: Each case: (window size, language). Every script at the two tablet orientations.
CASES = [(size, language) for language in LANGUAGES for size in SIZES] + [
    (size, language) for language in _one_per_script() for size in SIZES[:2]
]


def _case(size: tuple[int, int], language: str) -> object:
    return pytest.param(size, language, id=f"{size[0]}x{size[1]}-{language}")


LOOKS = [(False, False), (False, True), (True, False), (True, True)]  # (large, contrast)
PHONE = '[survey]\nphone_link = "https://example.nhs.uk/feedback/ward7"\n'

#: The face measured in pixels: the amber one, whose colour is furthest from the page's.
MEASURED_FACE = 3


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _in(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _scroll_area(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def _name(widget: QWidget) -> str:
    return widget.accessibleName() or widget.objectName() or type(widget).__name__


def _shown(window) -> list[QWidget]:
    """Every visible control and text a patient sees (the prompt's alone, while it is up)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget is window.focus_ring:
            continue
        if isinstance(widget, QLabel) and not widget.text():
            continue
        kinds = (QAbstractButton, QLabel, QPlainTextEdit, QrCode)
        if isinstance(widget, kinds) and type(widget).__name__ != "QScrollBar":
            found.append(widget)
    if window.more_time.isVisible():
        found = [widget for widget in found if window.more_time.isAncestorOf(widget)]
    return found


@dataclass
class Placed:
    widget: QWidget
    scroll: QScrollArea | None
    rect: QRect  # in its scroll area's content, or in the window
    seen: QRect  # the part in sight, in the window


def _seen(window: QWidget, widget: QWidget) -> QRect:
    rect = _in(window, widget)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(_in(window, parent))
        parent = parent.parentWidget()
    return rect


def _button_ink(button: QPushButton) -> QRectF:
    """Where the button's words' ink falls, centred in its content box as Qt draws it."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    box = QRectF(
        button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    )
    metrics = QFontMetricsF(button.font())
    ink = metrics.tightBoundingRect(button.text())
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    width = ink.width() + icon
    baseline = box.center().y() - metrics.height() / 2 + metrics.ascent()
    left = box.center().x() - width / 2
    return QRectF(left, baseline + ink.top(), width, ink.height())


def problems(window) -> list[str]:
    """What a patient would see wrong on the screen now up."""
    found: list[str] = []
    placed = []
    for widget in _shown(window):
        scroll = _scroll_area(widget)
        if scroll is not None and scroll.widget() is not None:
            content = scroll.widget()
            rect = QRect(widget.mapTo(content, QPoint(0, 0)), widget.size())
            if not content.rect().contains(rect):
                found.append(f"{_name(widget)} is cut off in its scroll area: {rect}")
            if not window.rect().contains(_in(window, scroll)):
                found.append(f"{_name(scroll)} runs off the window")
        else:
            rect = _in(window, widget)
            if not window.rect().contains(rect):
                found.append(f"{_name(widget)} runs off the window: {rect}")
        placed.append(Placed(widget, scroll, rect, _seen(window, widget)))
        found += _words_cut(widget)
    for index, one in enumerate(placed):
        for other in placed[index + 1 :]:
            a, b = one.widget, other.widget
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            same = one.scroll is other.scroll
            first, second = (one.rect, other.rect) if same else (one.seen, other.seen)
            if first.intersects(second):
                found.append(f"{_name(a)} {first} overlaps {_name(b)} {second}")
    return found


def _words_cut(widget: QWidget) -> list[str]:
    if isinstance(widget, QLabel):
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height():
                return [f"{_name(widget)}: its words need {needed} px, it has {widget.height()}"]
        elif widget.sizeHint().width() > widget.width():
            return [f"{_name(widget)}: its words need {widget.sizeHint().width()} px across"]
    elif isinstance(widget, FaceButton):
        words, face = widget.words_box(), widget.pictogram()
        inner = QRectF(widget.rect())
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter)
        needed = QFontMetricsF(widget.words_font()).boundingRect(words, flags, widget.text())
        if not (inner.contains(words) and inner.contains(face)) or words.intersects(face):
            return [f"face {widget.code}: its face {face} and words {words} collide"]
        if needed.height() > words.height() + 1 or needed.width() > words.width() + 1:
            return [f"face {widget.code}: its words need {needed.size()}, have {words.size()}"]
    elif isinstance(widget, QPushButton) and widget.text():
        ink = _button_ink(widget)
        inside = QRectF(widget.rect()).adjusted(2, 2, -2, -2)  # within its border
        if not inside.contains(ink):
            return [f"{_name(widget)}: its words {ink} spill out of {inside}"]
    return []


def pictogram_side(face: FaceButton) -> int:
    """The face's drawn diameter in pixels: the extent of its fill colour (read from its SVG)
    inside the card, past the band of the same colour that runs round the card's edge."""
    svg = (icons_dir() / FACE_FILES[face.code]).read_text(encoding="utf-8")
    match = re.search(r'fill="#(\w{6})"', svg)
    assert match is not None
    fill = tuple(int(match.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    image = face.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = bytes(image.constBits())

    def is_fill(x: int, y: int) -> bool:
        at = y * stride + 3 * x
        return sum(abs(data[at + i] - fill[i]) for i in range(3)) < 60

    # The band: from the left edge along the middle row, up to the first pixel past it.
    middle, band = height // 2, 0
    while band < width and not is_fill(band, middle):
        band += 1
    while band < width and is_fill(band, middle):
        band += 1
    edge = band + 2
    rows = [
        y
        for y in range(edge, height - edge)
        if any(is_fill(x, y) for x in range(edge, width - edge, 2))
    ]
    return (rows[-1] - rows[0] + 1) if rows else 0


def _set(qtbot, window, language: str, large: bool, contrast: bool) -> None:
    window.reset_for_next_person()
    if language != window.language:
        choose_language(qtbot, window, window.survey.language(language).name)
    for toggle, on in ((window.topbar.large_text, large), (window.topbar.high_contrast, contrast)):
        if toggle.isChecked() != on:
            qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    _settle()


@pytest.mark.parametrize(("size", "language"), [_case(*case) for case in CASES])
def test_every_screen_fits_with_nothing_overlapping_or_cut_off(qtbot, make_kiosk, size, language):
    window = make_kiosk(PHONE, size=size)
    seen: dict[str, list[str]] = {}
    normal_face: dict[bool, int] = {}
    for large, contrast in LOOKS:
        look = f"{'large' if large else 'normal'} text, {'high' if contrast else 'normal'} contrast"
        _set(qtbot, window, language, large, contrast)
        face = window.question.faces[MEASURED_FACE]
        side = pictogram_side(face)
        if not large:
            normal_face[contrast] = side
        else:
            assert side >= normal_face[contrast] - 1, (look, side, normal_face[contrast])
        seen[f"question, {look}"] = problems(window)
        for rating in (4, 1):  # "What could we do better?", then "What was good?"
            window.reset_for_next_person()
            _set(qtbot, window, language, large, contrast)
            qtbot.mouseClick(window.question.faces[rating], Qt.MouseButton.LeftButton)
            _settle()
            assert window.stack.currentWidget() is window.followup
            seen[f"follow-up after {rating}, {look}"] = problems(window)
        seen[f"follow-up, end in sight, {look}"] = _bottom_in_sight(window)
        window.more_time_timer.timeout.emit()  # 20 s before the idle reset
        _settle()
        assert window.more_time.isVisible()
        seen[f"more time, {look}"] = problems(window)
        qtbot.mouseClick(window.more_time.button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(window.followup.send, Qt.MouseButton.LeftButton)
        _settle()
        assert window.stack.currentWidget() is window.thanks
        seen[f"thanks, {look}"] = problems(window)
    assert {where: found for where, found in seen.items() if found} == {}


def _bottom_in_sight(window) -> list[str]:
    """Send and the comment box in sight, or "More below" shown over what is not."""
    followup = window.followup
    view = _in(window, followup.body_scroll.viewport())
    comment = _in(window, followup.comment)
    send = _seen(window, followup.send)
    if send.size() != followup.send.size():
        return [f"Send is not all in sight: {send}"]
    if not view.contains(comment) and not followup.more_below.isVisible():
        return [f"the comment box {comment} is out of sight {view}, and nothing says so"]
    return []


def test_more_below_shows_while_the_comment_box_is_out_of_sight_and_scrolls_to_it(
    qtbot, make_kiosk
):
    window = make_kiosk(size=(1280, 800))
    choose_language(qtbot, window, "Cymraeg")
    qtbot.mouseClick(window.topbar.large_text, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.question.faces[4], Qt.MouseButton.LeftButton)
    _settle()
    followup = window.followup
    view = _in(window, followup.body_scroll.viewport())
    assert not view.contains(_in(window, followup.comment))
    cue = followup.more_below
    assert cue.isVisible() and cue.text() == "Mwy isod"
    assert _in(window, cue).bottom() < _in(window, followup.send).top()
    for _ in range(5):
        if not cue.isVisible():
            break
        qtbot.mouseClick(cue, Qt.MouseButton.LeftButton)
        _settle()
    view = _in(window, followup.body_scroll.viewport())
    assert view.contains(_in(window, followup.comment))
    assert not cue.isVisible()  # at the bottom, it says no more


def test_urdu_follow_up_fits_1280x800_without_scrolling(qtbot, make_kiosk):
    window = make_kiosk(size=(1280, 800))
    choose_language(qtbot, window, "اردو")
    qtbot.mouseClick(window.question.faces[4], Qt.MouseButton.LeftButton)
    _settle()
    followup = window.followup
    view = _in(window, followup.body_scroll.viewport())
    for widget in (followup.comment, followup.comment_hint, followup.counter):
        assert view.contains(_in(window, widget)), _name(widget)
    assert not followup.more_below.isVisible()


def test_large_text_reflows_the_faces_instead_of_shrinking_them(qtbot, make_kiosk):
    """In portrait, six faces in a column at normal size; with larger words, fewer rows of
    larger faces, each face still wholly on screen."""
    window = make_kiosk(size=(800, 1280))
    faces = list(window.question.faces.values())
    normal = pictogram_side(faces[0])
    tops = {_in(window, face).top() for face in faces}
    assert len(tops) == 6  # one column
    qtbot.mouseClick(window.topbar.large_text, Qt.MouseButton.LeftButton)
    _settle()
    tops = {_in(window, face).top() for face in faces}
    assert len(tops) < 6
    assert pictogram_side(faces[0]) > normal
    for face in faces:
        assert window.rect().contains(_in(window, face))
