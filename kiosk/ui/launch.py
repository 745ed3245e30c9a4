"""Building and showing the kiosk: ``create_kiosk`` assembles config, survey, store and window
(the test seam, re-exported by ``kiosk.app``), and ``run`` sets up the QApplication, shows the
window full screen and enters the event loop.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

from kiosk import __version__
from kiosk.config import (
    APP_NAME,
    LAST_GOOD_CONFIG,
    ConfigError,
    DataDirError,
    KioskConfig,
    default_data_dir,
    load_config,
    load_config_file,
    prepare_data_dir,
)
from kiosk.diagnostics import cannot_start
from kiosk.settings import apply, load_settings
from kiosk.store import DB_NAME, StoreError, open_store
from kiosk.survey import Survey, SurveyError, load_survey
from kiosk.ui.fonts import load_fonts
from kiosk.ui.window import KioskWindow

log = logging.getLogger("kiosk")


def load_everything(
    config_path: Path | None, data_dir: Path | None
) -> tuple[KioskConfig, Survey, Path]:
    """Config, survey and data dir, validated. Raises ConfigError, SurveyError or DataDirError."""
    config = load_config(config_path)
    data = prepare_data_dir(data_dir)
    survey = load_survey(config.survey.id, config.survey.languages, config.survey.folder)
    return config, survey, data


def input_method(setting: str, platform: str = sys.platform) -> str | None:
    """The Qt input method for the on-screen keyboard setting.

    ``auto`` means Qt Virtual Keyboard on Linux tablets (which have no keyboard of their own)
    and the operating system's touch keyboard on Windows.
    """
    if setting == "qt" or (setting == "auto" and platform != "win32"):
        return "qtvirtualkeyboard"
    return None


def create_kiosk(config_path: Path | None = None, data_dir: Path | None = None) -> KioskWindow:
    """Build the whole kiosk and return its top-level window, not yet shown.

    A QApplication must exist (pytest-qt's ``qapp`` provides one; ``run`` makes its own).
    """
    config, survey, data = load_everything(config_path, data_dir)
    for warning in config.warnings:
        log.warning("%s", warning)
    settings = load_settings(data)
    if settings != type(settings)():
        config = apply(config, settings)
        survey = load_survey(config.survey.id, config.survey.languages, config.survey.folder)
    store, moved_aside = open_store(data / DB_NAME)
    if moved_aside:
        log.error("the database was damaged; it was moved to %s and a new one started", moved_aside)
    load_fonts()
    window = KioskWindow(config, survey, store, data, settings)
    if moved_aside:
        window.alert_staff(
            f"the database was damaged and was moved to {moved_aside.name}; a new one was "
            "started and collection goes on. Ask IT to recover the old file."
        )
    if config.sync is not None:
        # Only a syncing kiosk loads the HTTP client and pydantic: it keeps start-up quick.
        from kiosk.ui.sync_worker import SyncThread

        loc = config.location
        place = (loc.org_code, loc.site_code, loc.ward_name)
        window.attach_sync(
            SyncThread(data, config.sync, place, retention_days=config.kiosk.retention_days)
        )
        _watch_network(window)
    if config.source is not None and config.source != data / LAST_GOOD_CONFIG:
        _keep_last_good(config.source, data)
    return window


def _watch_network(window: KioskWindow) -> None:
    """Sync as soon as the network comes back, rather than waiting out a backoff."""
    from PySide6.QtNetwork import QNetworkInformation

    if not QNetworkInformation.loadDefaultBackend():
        log.info("no network reachability backend here; sync retries on its timer")
        return
    info = QNetworkInformation.instance()
    if info is None:
        return
    online = QNetworkInformation.Reachability.Online

    def changed(reachability: QNetworkInformation.Reachability) -> None:
        if reachability == online:
            window.sync_requested.emit("online")

    info.reachabilityChanged.connect(changed)


def _keep_last_good(source: Path, data: Path) -> None:
    # A kiosk whose config is later broken by hand keeps running on the last one that worked.
    try:
        shutil.copyfile(source, data / LAST_GOOD_CONFIG)
    except OSError as exc:
        log.warning("could not keep a copy of the working config: %s", exc)


def run(config_path: Path | None, data_dir: Path | None, windowed: bool = False) -> int:
    """Start the kiosk and run it until it is closed; returns the exit status."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fallback = (data_dir or default_data_dir()) / LAST_GOOD_CONFIG
        if not fallback.is_file():
            return cannot_start(exc)
        log.error("%s; running on the last config that worked, %s", exc, fallback)
        config_path = fallback
        config = load_config_file(fallback)
    _prepare_qt_environment(config)
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    # Here, not at the top: create_kiosk (what tests and bench/startup.py build) needs no
    # QtNetwork unless sync is on.
    from kiosk.ui.lockdown import (
        SingleInstance,
        ask_running_instance_to_show,
        install_crash_guard,
        keep_screen_on,
    )

    if ask_running_instance_to_show():
        print("ward-kiosk is already running; it was brought to the front.")
        return 0
    try:
        window = create_kiosk(config_path, data_dir)
    except (ConfigError, SurveyError, DataDirError, StoreError) as exc:
        return cannot_start(exc)
    app.aboutToQuit.connect(window.shutdown)
    window.exit_requested.connect(app.quit)
    fullscreen = window.config.kiosk.fullscreen and not windowed

    def bring_forward() -> None:
        if fullscreen:
            window.showFullScreen()
        else:
            window.showNormal()
        window.raise_()
        window.activateWindow()

    _single = SingleInstance(bring_forward)
    install_crash_guard(window.reset_for_next_person)
    if window.config.kiosk.hide_cursor:
        app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
    if fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        # Cover the screen even where no window manager honours "full screen" (bare X).
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    log.info("screen kept on: %s", "yes" if keep_screen_on() else "left to the system")
    return app.exec()


def _prepare_qt_environment(config: KioskConfig) -> None:
    """What Qt reads from the environment when the QApplication is made."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        # In the packaged build Qt must be told where the keyboard's QML modules are.
        qml = str(Path(bundle) / "PySide6" / "Qt" / "qml")
        os.environ.setdefault("QML2_IMPORT_PATH", qml)
        os.environ.setdefault("QML_IMPORT_PATH", qml)
    method = input_method(config.kiosk.keyboard)
    if method and "QT_IM_MODULE" not in os.environ:
        os.environ["QT_IM_MODULE"] = method
