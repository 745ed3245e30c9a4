"""The thank-you screen's phone QR code, and the demo ward notice."""

from __future__ import annotations

from pathlib import Path

from kiosk.ui.widgets.qr import qr_matrix
from tests.helpers import tap

LINK = "https://example.nhs.uk/feedback/ward7"


def _to_thanks(qtbot, window) -> None:
    tap(qtbot, window, "Good")
    tap(qtbot, window, "Skip")
    assert window.stack.currentWidget() is window.thanks


def test_qr_code_shows_the_phone_link_when_set(qtbot, make_kiosk):
    window = make_kiosk(f'[survey]\nphone_link = "{LINK}"\n')
    _to_thanks(qtbot, window)
    assert window.thanks.qr.isVisible()
    assert window.thanks.qr.data == LINK
    assert window.thanks.qr.matrix == qr_matrix(LINK)
    assert window.thanks.qr_caption.text() == "Prefer your phone? Scan to answer there"
    assert window.thanks.qr_caption.isVisible()


def test_no_qr_code_without_a_phone_link(qtbot, make_kiosk):
    window = make_kiosk()
    _to_thanks(qtbot, window)
    assert not window.thanks.qr.isVisible()
    assert not window.thanks.qr_caption.isVisible()


def test_qr_painted_from_the_matrix_has_dark_finder_corners(qtbot, make_kiosk):
    window = make_kiosk(f'[survey]\nphone_link = "{LINK}"\n')
    _to_thanks(qtbot, window)
    image = window.thanks.qr.grab().toImage()
    side = min(image.width(), image.height())
    modules = len(window.thanks.qr.matrix)
    cell = side / modules
    left = (image.width() - side) / 2
    top = (image.height() - side) / 2
    # The top-left finder pattern's corner module (after the 4-module quiet zone) is dark.
    corner = image.pixelColor(int(left + 4.5 * cell), int(top + 4.5 * cell))
    quiet = image.pixelColor(int(left + 1.5 * cell), int(top + 1.5 * cell))
    assert corner.lightness() < 50 and quiet.lightness() > 200


def test_demo_ward_says_it_is_not_configured(qtbot, tmp_path: Path):
    from kiosk.app import create_kiosk

    window = create_kiosk(None, tmp_path / "data")
    qtbot.addWidget(window)
    window.show()
    assert window.config.is_demo
    assert window.question.demo.isVisible()
    assert window.question.demo.text() == "Demo ward: not configured"
    assert window.config.sync is None
    window.store.close()


def test_a_configured_ward_has_no_demo_notice(qtbot, make_kiosk):
    window = make_kiosk()
    assert not window.question.demo.isVisible()
    assert window.question.ward.text() == "Ward 7"
