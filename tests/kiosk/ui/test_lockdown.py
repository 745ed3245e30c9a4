"""Kiosk mode: no way out but staff mode, one instance, errors survived, alerts for staff."""

from __future__ import annotations

import logging
import sys
import uuid

from PySide6.QtGui import QCloseEvent

from kiosk.app import create_kiosk
from kiosk.ui.lockdown import SingleInstance, ask_running_instance_to_show, install_crash_guard
from tests.helpers import unlock


def test_closing_is_ignored_outside_staff_mode(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    event = QCloseEvent()
    window.closeEvent(event)
    assert not event.isAccepted()
    unlock(qtbot, window, data_dir)
    event = QCloseEvent()
    window.closeEvent(event)
    assert event.isAccepted()


def test_a_second_launch_brings_the_first_forward(qtbot):
    shown = []
    name = f"ward-kiosk-test-{uuid.uuid4().hex[:8]}"
    first = SingleInstance(lambda: shown.append(True), name)
    assert ask_running_instance_to_show(name)
    qtbot.waitUntil(lambda: shown == [True], timeout=3000)
    first.server.close()
    assert not ask_running_instance_to_show(name)


def test_an_unhandled_error_is_logged_and_the_kiosk_returns_to_the_question(
    qtbot, make_kiosk, caplog
):
    window = make_kiosk()
    saved = sys.excepthook
    try:
        install_crash_guard(window.reset_for_next_person)
        window.question.faces[2].click()
        assert window.stack.currentWidget() is window.followup
        try:
            raise RuntimeError("a bug in a slot")
        except RuntimeError:
            with caplog.at_level(logging.ERROR):
                sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = saved
    assert window.stack.currentWidget() is window.question
    assert "a bug in a slot" in caplog.text


def test_a_damaged_database_is_moved_aside_and_staff_are_told(qtbot, write_config, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.db").write_bytes(b"garbage" * 500)
    window = create_kiosk(write_config(), data_dir)
    qtbot.addWidget(window)
    window.show()
    assert any("damaged" in alert for alert in window.alerts)
    assert list(data_dir.glob("kiosk.db.damaged-*"))
    window.question.faces[1].click()  # collection goes on
    assert window.store.sync_counts()["pending"] == 1
    unlock(qtbot, window, data_dir)
    assert window.staff.screen.alert.isVisible()
    assert "Attention: the database was damaged" in window.staff.screen.alert.text()
    window.shutdown()


def test_a_full_disk_is_an_alert_for_staff(qtbot, make_kiosk, data_dir):
    window = make_kiosk()
    pages = window.store.db.execute("PRAGMA page_count").fetchone()[0]
    window.store.db.execute(f"PRAGMA max_page_count = {pages + 1}")
    for _ in range(500):
        window.question.faces[1].click()
        if window.stack.currentWidget() is window.question:
            break
        window.reset_for_next_person()
    assert any("could not be saved" in alert for alert in window.alerts)
