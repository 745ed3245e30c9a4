"""Focus you can see, measured in grabbed pixels with the WCAG formula: a ring at least 3 px
wide and 3:1 against both the control and the page, on every control, in both looks; nothing
drawn inside the control (no native focus box); chip and face edges 3:1 against the page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.contrast import contrast
from kiosk.staff import StaffPin
from sync import fft
from tests.helpers import PIN, RGB, activate, box_in, find, rgb_at, tap

FOCUS_MINIMUM_PX = 3
REACH = 16  # how far outside a control to look for its ring


@dataclass
class Side:
    """One side of a control, read outward from its edge: what is there when the control is
    focused (``ring``) and when it is not (``page``), and the control's own colours just
    inside that edge (``control``: its border, then what is inside the border)."""

    ring: list[RGB]
    page: list[RGB]
    control: list[RGB]


def _grab(window: QWidget) -> QImage:
    QApplication.processEvents()
    return window.grab().toImage()


def _rest(window) -> None:
    # Focus on something that is no control, as after a screen change: nothing is ringed.
    window.stack.currentWidget().setFocus()


def _sides(before: QImage, after: QImage, box: QRect) -> dict[str, Side]:
    middle = box.center()
    starts = {
        "left": (box.left(), middle.y(), -1, 0),
        "right": (box.right(), middle.y(), 1, 0),
        "top": (middle.x(), box.top(), 0, -1),
        "bottom": (middle.x(), box.bottom(), 0, 1),
    }
    sides = {}
    for name, (x, y, dx, dy) in starts.items():
        outside = [
            (x + dx * d, y + dy * d)
            for d in range(1, REACH + 1)
            if 0 <= x + dx * d < before.width() and 0 <= y + dy * d < before.height()
        ]
        inside = [(x - dx * d, y - dy * d) for d in (1, 4, 12)]
        sides[name] = Side(
            ring=[rgb_at(after, *p) for p in outside],
            page=[rgb_at(before, *p) for p in outside],
            control=[rgb_at(before, *p) for p in inside],
        )
    return sides


def _longest_run(flags: list[bool]) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _check_ring(window, control: QWidget) -> None:
    """Focus *control*: on every side, a band of 3 px or more at 3:1 against the page it
    covers, and for each of the control's edge colours a band of 3 px or more at 3:1 to it;
    inside the control, not one pixel changes."""
    _rest(window)
    before = _grab(window)
    control.setFocus(Qt.FocusReason.TabFocusReason)
    assert QApplication.focusWidget() is control
    after = _grab(window)
    box = box_in(window, control)
    name = control.accessibleName() or control.objectName()
    for side, found in _sides(before, after, box).items():
        against_page = [contrast(r, p) >= 3 for r, p in zip(found.ring, found.page, strict=True)]
        assert _longest_run(against_page) >= FOCUS_MINIMUM_PX, (name, side, "page", found)
        for colour in found.control:
            against = [contrast(r, colour) >= 3 for r in found.ring]
            assert _longest_run(against) >= FOCUS_MINIMUM_PX, (name, side, colour, found)
    # Inside, a cross through the middle (the rounded corners are the ring's to hug); a text
    # box only along its border, as its caret blinks inside.
    width, height = box.width(), box.height()
    if control.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled):
        inside = [box.adjusted(width // 4, 0, -width // 4, 3 - height)]
    else:
        inside = [
            box.adjusted(3, height // 4, -3, -height // 4),
            box.adjusted(width // 4, 3, -width // 4, -3),
        ]
    for part in inside:
        assert before.copy(part) == after.copy(part), f"{name}: focus drew inside the control"


def _edge_contrast(window, control: QWidget) -> float:
    """The best contrast between the control's outermost pixels and the page beside them,
    over two pixels' depth, at the middle of its left side (unfocused)."""
    _rest(window)
    image = _grab(window)
    box = box_in(window, control)
    y = box.center().y()
    page = rgb_at(image, box.left() - 3, y)
    return max(
        min(contrast(rgb_at(image, box.left() + d, y), page) for d in (offset, offset + 1))
        for offset in range(0, 4)
    )


@pytest.fixture(params=[False, True], ids=["normal", "high-contrast"])
def window(request, qtbot, make_kiosk):
    kiosk = make_kiosk()
    activate(qtbot, kiosk)
    if request.param:
        tap(qtbot, kiosk, "High contrast")
    return kiosk


def test_question_screen_controls_have_a_visible_ring(qtbot, window):
    controls = [find(window, label) for label in fft.CODES.values()]
    languages = list(window.topbar.language_buttons.values()) or [find(window, "Language")]
    controls += languages
    qtbot.waitUntil(window.topbar.read_aloud.isVisible, timeout=2000)  # once voices load
    controls += [window.topbar.easy_read, window.topbar.large_text, window.topbar.high_contrast]
    controls.append(window.topbar.read_aloud)
    for control in controls:
        _check_ring(window, control)


def test_the_more_time_button_has_a_visible_ring(qtbot, window):
    tap(qtbot, window, "Poor")
    window.more_time_timer.timeout.emit()  # "Do you need more time?"
    _check_ring(window, window.more_time.button)


def test_follow_up_controls_have_a_visible_ring(qtbot, window):
    tap(qtbot, window, "Poor")
    tap(qtbot, window, "Noise")  # a chosen chip is ringed as plainly as the others
    followup = window.followup
    controls = [followup.chips[theme] for theme in ("staff", "noise", "waiting")]
    controls += [followup.comment, followup.skip, followup.send]
    for control in controls:
        followup.body_scroll.ensureWidgetVisible(control, 24, 24)
        _check_ring(window, control)


@pytest.mark.parametrize("contrast", [False, True], ids=["normal", "high-contrast"])
def test_language_picker_buttons_have_a_visible_ring(qtbot, make_kiosk, contrast):
    window = make_kiosk('[survey]\nid = "fft-easy-read"\n')  # all sixteen: the picker
    activate(qtbot, window)
    if contrast:
        tap(qtbot, window, "High contrast")
    _check_ring(window, window.topbar.languages)
    tap(qtbot, window, "Language")
    for code in ("en", "ar", "so"):  # the chosen one, and two along its edges
        _check_ring(window, window.picker.buttons[code])


def test_staff_pad_keys_have_a_visible_ring(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    StaffPin(data_dir).set(PIN)
    activate(qtbot, window)
    window.staff.open_pad()
    for name in ("1", "0", "Delete", "Enter", "Cancel"):
        _check_ring(window, find(window, name))


def test_chip_and_face_edges_stand_out_from_the_page(qtbot, window):
    for label in fft.CODES.values():
        assert _edge_contrast(window, find(window, label)) >= 3, label
    tap(qtbot, window, "Good")
    for chip in window.followup.chips.values():
        assert _edge_contrast(window, chip) >= 3, chip.text()


def test_each_face_is_outlined_against_its_card(qtbot, window):
    """The pictogram's own outline shows on the card: dark on white, light on black."""
    for face in window.question.faces.values():
        _rest(window)
        image = _grab(window)
        box = box_in(window, face)
        x = box.center().x()
        card = rgb_at(image, x, box.top() + 14)
        top = next(
            y
            for y in range(box.top() + 14, box.bottom())
            if contrast(rgb_at(image, x, y), card) > 1.2
        )
        outline = rgb_at(image, x, top + 2)
        assert contrast(outline, card) >= 3, (face.text(), outline, card)
