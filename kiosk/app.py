"""Command line and assembly: config, survey, store and window, built once, in one place.

``create_kiosk()`` is the test seam: it builds the whole kiosk and returns its window without
entering the event loop, for this project's tests and for any outside suite.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from kiosk import __version__
from kiosk.config import APP_NAME, ConfigError, KioskConfig, load_config, load_config_file
from kiosk.store import DB_NAME, LocalStore, StoreError, open_store
from kiosk.survey import Survey, SurveyError, load_survey

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow

log = logging.getLogger("kiosk")

LAST_GOOD_CONFIG = "last-good-kiosk.toml"


class DataDirError(Exception):
    """The data directory cannot be created or written."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def prepare_data_dir(data_dir: Path | None) -> Path:
    """Create the data directory if needed and prove it is writable.

    :raises DataDirError: with what to do about it.
    """
    path = data_dir or default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise DataDirError(
            f"data dir {path} is not writable ({exc.strerror or exc}); give the kiosk's user "
            "write access, or choose another folder with --data-dir"
        ) from exc
    return path


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

    A QApplication must exist (pytest-qt's ``qapp`` provides one; ``main`` makes its own).
    """
    from kiosk.settings import apply, load_settings
    from kiosk.ui.theme import load_fonts
    from kiosk.ui.window import KioskWindow

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
        from kiosk.ui.sync_worker import SyncThread

        loc = config.location
        place = (loc.org_code, loc.site_code, loc.ward_name)
        window.attach_sync(SyncThread(data, config.sync, place))
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


def check(config_path: Path | None, data_dir: Path | None, with_sync: bool = False) -> int:
    """``--check`` (and ``--self-test``, *with_sync*): one line per part, and a non-zero exit
    if any part is wrong."""
    problems = 0

    def line(part: str, ok: bool, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        print(f"{part:<9} {'OK  ' if ok else 'FAIL'} {text}")

    config: KioskConfig | None = None
    try:
        config = load_config(config_path)
        where = config.source or "no kiosk.toml found: embedded demo ward"
        loc = config.location
        line("config", True, f"{where}: {loc.ward_name} ({loc.org_code} / {loc.site_code})")
        for warning in config.warnings:
            print(f"{'':<9} WARN {warning}")
    except ConfigError as exc:
        for problem in exc.problems:
            line("config", False, problem)

    survey: Survey | None = None
    if config is not None:
        try:
            survey = load_survey(config.survey.id, config.survey.languages, config.survey.folder)
            names = ", ".join(
                f"{lang.code}{' (draft translation)' if lang.draft else ''}"
                for lang in survey.languages
            )
            line("survey", True, f"{survey.id} version {survey.version}: {names}")
        except SurveyError as exc:
            line("survey", False, str(exc))

    try:
        data = prepare_data_dir(data_dir)
        store = LocalStore.in_dir(data)
        integrity = store.integrity()
        counts = store.sync_counts()
        store.close()
        line(
            "data dir",
            integrity == "ok",
            f"{data} is writable; {sum(counts.values())} responses "
            f"({counts['pending']} waiting to sync); integrity {integrity}",
        )
    except (DataDirError, StoreError) as exc:
        line("data dir", False, str(exc))

    if survey is not None:
        from kiosk.ui.fonts import missing_glyphs

        gaps = missing_glyphs(survey)
        if gaps:
            for code, chars in gaps.items():
                line("fonts", False, f"no bundled font draws {chars!r} for '{code}'")
        else:
            codes = ", ".join(lang.code for lang in survey.languages)
            line("fonts", True, f"bundled fonts draw every string in {codes}")
    if with_sync and config is not None:
        for ok, text in _check_sync(config, data_dir):
            line("sync", ok, text)
    return 1 if problems else 0


def _check_sync(config: KioskConfig, data_dir: Path | None) -> list[tuple[bool, str]]:
    """Server reachability and this device's token, when sync is configured."""
    if config.sync is None:
        return [(True, "not configured: answers stay on this kiosk")]
    from sync.client import SyncClient, SyncError
    from sync.device import DEVICE_FILE, load_identity

    settings = config.sync
    client = SyncClient(settings.server_url, ca_bundle=settings.ca_bundle, timeout=(5.0, 10.0))
    try:
        client.health()
    except SyncError as exc:
        return [(False, f"{settings.server_url}: {exc}")]
    results = [(True, f"{settings.server_url} answers")]
    data = data_dir or default_data_dir()
    identity = load_identity(data) if (data / DEVICE_FILE).exists() else None
    if identity is None or not identity.token or identity.server_url != client.base_url:
        if settings.enrollment_key:
            results.append((True, "not enrolled yet: enrols with the key on first sync"))
        else:
            results.append((False, "not enrolled and no [sync] enrollment_key to enrol with"))
        return results
    client.token = identity.token
    try:
        me = client.whoami()
    except SyncError as exc:
        results.append((False, f"device token: {exc}"))
    else:
        from sync.enrolment import describe

        loc = config.location
        here = (loc.org_code, loc.site_code, loc.ward_name)
        there = (me.org_code, me.site_code, me.ward_name)
        if here == there:
            results.append((True, f"device {me.device_id} enrolled as {describe(there)}"))
        else:
            results.append(
                (
                    False,
                    f"device {me.device_id} is enrolled for {describe(there)} but kiosk.toml "
                    f"says {describe(here)}; nothing is sent until they match: correct "
                    "[location], or enrol with a key for this ward",
                )
            )
    return results


def print_config(config_path: Path | None, data_dir: Path | None) -> int:
    """``--print-config``: the effective settings, each with its source, secrets masked."""
    from kiosk.config import describe
    from kiosk.settings import SETTINGS_FILE, apply, changed_keys, load_settings

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return _fail(exc)
    print(f"# config file: {config.source or 'none found (built-in demo ward)'}")
    data = data_dir or default_data_dir()
    overridden: set[tuple[str, str]] = set()
    if (data / SETTINGS_FILE).exists():
        settings = load_settings(data)
        config = apply(config, settings)
        overridden = changed_keys(settings)
        print(f"# staff settings: {data / SETTINGS_FILE}")
    print("\n".join(describe(config, overridden)))
    return 0


def set_pin(data_dir: Path | None, from_stdin: bool = False) -> int:
    """``set-pin``: store only the scrypt hash of a new staff PIN.

    At a terminal the PIN is asked for twice and never shown. With *from_stdin*
    (``--pin-stdin``) it is the first line of standard input, once, for IT scripts that set up
    many tablets. A damaged PIN file is replaced.
    """
    import getpass

    from kiosk.staff import PinError, PinFile, StaffPin

    try:
        data = prepare_data_dir(data_dir)
        if from_stdin:
            line = sys.stdin.readline()
            if not line.strip():
                print(
                    "No PIN was given on standard input; nothing was changed. Pipe in one line "
                    "of 4 to 8 digits, e.g. `echo 2468 | ward-kiosk set-pin --pin-stdin`.",
                    file=sys.stderr,
                )
                return 1
            # strip(): Windows' `echo 2468 | ...` sends "2468 " and a CR before the newline.
            pin = line.strip()
        else:
            pin = getpass.getpass("New staff PIN (4 to 8 digits): ")
            if getpass.getpass("The same PIN again: ") != pin:
                print(
                    "The two PINs were different; nothing was changed. Run set-pin again.",
                    file=sys.stderr,
                )
                return 1
        staff_pin = StaffPin(data)
        was_damaged = staff_pin.state is PinFile.DAMAGED
        staff_pin.set(pin)
    except (DataDirError, PinError) as exc:
        print(f"The PIN was not set: {exc}.", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nNo PIN was entered; nothing was changed.", file=sys.stderr)
        return 1
    try:
        store = LocalStore.in_dir(data)
        store.audit("PIN set", "from the command line")
        store.close()
    except StoreError as exc:
        # The PIN is set and works; only the audit line is missing, so say so and carry on.
        print(f"(The PIN change could not be added to the staff audit: {exc}.)", file=sys.stderr)
    if was_damaged:
        print(f"The damaged staff PIN file in {data} was replaced.")
    print(f"Staff PIN set for the kiosk whose data is in {data}.")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ward-kiosk",
        description="NHS Friends and Family Test kiosk for a hospital ward.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=["set-pin"],
        help="set-pin: set the ward staff PIN (asked for twice, never shown; see --pin-stdin)",
    )
    parser.add_argument(
        "--pin-stdin",
        action="store_true",
        help="with set-pin: read the PIN from the first line of standard input, for scripts",
    )
    parser.add_argument("--config", type=Path, help="kiosk.toml to use (overrides the search)")
    parser.add_argument("--data-dir", type=Path, help="where responses are stored")
    parser.add_argument("--windowed", action="store_true", help="run in a window, not fullscreen")
    parser.add_argument(
        "--check", action="store_true", help="validate config, survey, data dir and fonts; exit"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="--check, plus the central server and this device's token when sync is set up",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--log-dir", type=Path, help="where log files go (default: platform's)")
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print the effective configuration, where each value came from, secrets masked",
    )
    parser.add_argument("--version", action="version", version=f"ward-kiosk {__version__}")
    args = parser.parse_args(argv)
    if args.pin_stdin and args.command != "set-pin":
        parser.error("--pin-stdin goes with set-pin: ward-kiosk set-pin --pin-stdin")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from kiosk.logs import setup_logging

    setup_logging(args.log_level, args.log_dir)
    if args.print_config:
        return print_config(args.config, args.data_dir)
    if args.command == "set-pin":
        return set_pin(args.data_dir, from_stdin=args.pin_stdin)
    if args.check or args.self_test:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication

        _app = QGuiApplication(sys.argv[:1])
        return check(args.config, args.data_dir, with_sync=args.self_test)

    config_path = args.config
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fallback = (args.data_dir or default_data_dir()) / LAST_GOOD_CONFIG
        if not fallback.is_file():
            return _fail(exc)
        log.error("%s; running on the last config that worked, %s", exc, fallback)
        config_path = fallback
        config = load_config_file(fallback)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        # In the packaged build Qt must be told where the keyboard's QML modules are.
        qml = str(Path(bundle) / "PySide6" / "Qt" / "qml")
        os.environ.setdefault("QML2_IMPORT_PATH", qml)
        os.environ.setdefault("QML_IMPORT_PATH", qml)
    method = input_method(config.kiosk.keyboard)
    if method and "QT_IM_MODULE" not in os.environ:
        os.environ["QT_IM_MODULE"] = method

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
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
        window = create_kiosk(config_path, args.data_dir)
    except (ConfigError, SurveyError, DataDirError, StoreError) as exc:
        return _fail(exc)
    app.aboutToQuit.connect(window.shutdown)
    window.exit_requested.connect(app.quit)
    fullscreen = window.config.kiosk.fullscreen and not args.windowed

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
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QCursor

        app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
    if fullscreen:
        from PySide6.QtCore import Qt

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


def _fail(exc: Exception) -> int:
    print(f"ward-kiosk cannot start: {exc}", file=sys.stderr)
    print("Run `python -m kiosk --check` to see every problem.", file=sys.stderr)
    return 2
