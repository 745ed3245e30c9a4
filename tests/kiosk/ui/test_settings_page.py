"""The staff Settings page's languages: every language of the survey, each saying whether a
native speaker has reviewed it, ticked as kiosk.toml offers them, laid out to fit the screen."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kiosk.config import load_config_file
from kiosk.settings import WardSettings
from kiosk.survey import load_survey
from kiosk.ui.staff.pages.settings import SettingsPage

SHIPPED = ["en", "cy", "ur"]


def _page(qtbot, write_config, extra: str = "") -> SettingsPage:
    config = load_config_file(write_config(extra))
    page = SettingsPage(config, WardSettings(), load_survey("fft-inpatient", SHIPPED).languages)
    qtbot.addWidget(page)
    page.show()
    return page


def test_each_language_says_whether_it_is_a_draft(qtbot, write_config):
    page = _page(qtbot, write_config)
    shown = {code: box.text() for code, box in page.language_boxes.items()}
    assert shown == {"en": "English (reviewed)", "cy": "Cymraeg (draft)", "ur": "اردو (draft)"}
    for box in page.language_boxes.values():
        assert box.accessibleName() == box.text()
    status = page.findChild(QLabel, "language-status")
    assert status is page.language_status and status.isVisible()
    assert status.text() == (
        "2 of these 3 languages are drafts: their translation has not yet been checked by a "
        "native speaker. Patients see them as they are."
    )


def test_languages_not_set_in_kiosk_toml_are_all_ticked(qtbot, write_config):
    page = _page(qtbot, write_config)
    assert all(box.isChecked() for box in page.language_boxes.values())


def test_languages_kiosk_toml_offers_are_ticked_and_saved_in_the_surveys_order(qtbot, write_config):
    page = _page(qtbot, write_config, '[survey]\nlanguages = ["ur", "en"]\n')
    ticked = [code for code, box in page.language_boxes.items() if box.isChecked()]
    assert ticked == ["en", "ur"]
    page.language_boxes["cy"].setChecked(True)
    with qtbot.waitSignal(page.settings_changed, timeout=1000):
        assert page.save_settings()
    assert page.settings.languages == ["en", "cy", "ur"]


def test_no_language_ticked_is_refused(qtbot, write_config):
    page = _page(qtbot, write_config)
    for box in page.language_boxes.values():
        box.setChecked(False)
    assert not page.save_settings()
    assert page.settings_result.text().startswith("Not saved: languages is []")
    assert page.settings.languages is None


def test_a_tall_screen_has_fewer_languages_across(qtbot, write_config):
    page = _page(qtbot, write_config)
    grid = page.language_grid

    def columns() -> int:
        return len(
            {grid.getItemPosition(grid.indexOf(box))[1] for box in page.language_boxes.values()}
        )

    assert columns() == 3  # all three fit across a wide screen
    page.arrange(portrait=True)
    assert columns() == 2
    assert grid.getItemPosition(grid.indexOf(page.language_boxes["ur"]))[:2] == (1, 0)
    page.arrange(portrait=False)
    assert columns() == 3
