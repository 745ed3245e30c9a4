"""The Settings page: the ward's name, idle time, phone link, safeguarding words and languages,
checked as the config file would check them (``kiosk.settings``) and kept all or none.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.settings import SettingError, WardSettings, validate
from kiosk.survey import Language
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.widgets.labels import make_button, make_label, set_words


class SettingsPage(StaffPage):
    """The settings staff may change without IT.

    Attributes:
        edit_name, edit_idle, edit_link, edit_words: the text fields.
        language_boxes: a tick box for every language the survey has, by language code, named
            with its status: "Polski (draft)" until a native speaker has reviewed it.
        language_status: which languages are reviewed and which are drafts, in words.
        settings_result: whether the last save worked, or why not.

    Signals:
        settings_changed(str): ``settings`` changed in the ward's settings; save them.
    """

    title = "Settings"
    settings_changed = Signal(str)

    def __init__(
        self,
        config: KioskConfig,
        settings: WardSettings,
        all_languages: Sequence[Language],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        form = QVBoxLayout(self)
        self.edit_name = self._field(form, "Name shown on screen", config.location.shown_name)
        self.edit_idle = self._field(
            form,
            "Seconds before an unattended screen starts again",
            str(config.kiosk.idle_reset_seconds),
        )
        self.edit_link = self._field(
            form, "Link for the phone QR code (blank for none)", config.survey.phone_link
        )
        self.edit_words = self._field(
            form,
            "Safeguarding words, separated by commas",
            ", ".join(config.staff.safeguarding_words),
        )
        languages = make_label("body")
        languages.setText("Languages offered")
        form.addWidget(languages)
        self.language_status = make_label("body")
        self.language_status.setObjectName("language-status")
        self.language_status.setText(language_status(all_languages))
        form.addWidget(self.language_status)
        self.language_grid = QGridLayout()
        self.language_boxes: dict[str, QCheckBox] = {}
        offered = config.survey.languages
        for language in all_languages:
            words = f"{language.name} ({'draft' if language.draft else 'reviewed'})"
            box = QCheckBox(words)
            box.setAccessibleName(words)
            # Not set in kiosk.toml: every language of the survey is offered.
            box.setChecked(offered is None or language.code in offered)
            self.language_boxes[language.code] = box
        self._place_languages(columns=4)
        form.addLayout(self.language_grid)
        save = make_button("primary")
        set_words(save, "Save settings")
        save.clicked.connect(self.save_settings)
        self.settings_result = make_label("body")
        self.settings_result.setObjectName("settings-result")
        form.addWidget(save, 0, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(self.settings_result)
        form.addStretch(1)

    def arrange(self, portrait: bool) -> None:
        # Sixteen names in a row would run off a tablet; a tall screen has room for fewer across.
        self._place_languages(columns=2 if portrait else 4)

    def _place_languages(self, columns: int) -> None:
        for index, box in enumerate(self.language_boxes.values()):
            self.language_grid.removeWidget(box)
            self.language_grid.addWidget(box, index // columns, index % columns)

    def _field(self, form: QVBoxLayout, words: str, value: str) -> QLineEdit:
        label = make_label("body")
        label.setText(words)
        edit = QLineEdit(value)
        edit.setAccessibleName(words)
        label.setBuddy(edit)
        form.addWidget(label)
        form.addWidget(edit)
        return edit

    def save_settings(self) -> bool:
        """Check every field as the config file would, then keep them all, or none."""
        idle_text = self.edit_idle.text().strip()
        values: dict[str, object] = {
            "display_name": self.edit_name.text().strip(),
            "idle_reset_seconds": int(idle_text) if idle_text.isdigit() else idle_text,
            "phone_link": self.edit_link.text().strip(),
            "safeguarding_words": [
                w.strip() for w in self.edit_words.text().split(",") if w.strip()
            ],
            "languages": [code for code, box in self.language_boxes.items() if box.isChecked()],
        }
        try:
            for name, value in values.items():
                validate(name, value)
        except SettingError as exc:
            self.settings_result.setText(f"Not saved: {exc}.")
            return False
        for name, value in values.items():
            setattr(self.settings, name, value)
        self.settings_changed.emit("settings")
        self.settings_result.setText(
            "Saved. The kiosk uses them from its next start (Exit kiosk, or a restart)."
        )
        return True


def language_status(languages: Sequence[Language]) -> str:
    """What "draft" means, and how many of the languages are drafts, in words."""
    drafts = sum(language.draft for language in languages)
    if not drafts:
        return "Every language has been checked by a native speaker."
    return (
        f"{drafts} of these {len(languages)} languages are drafts: their translation has not "
        "yet been checked by a native speaker. Patients see them as they are."
    )
