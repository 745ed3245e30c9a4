"""The ``ward-kiosk`` command line: its arguments, and ``main``, which sends each use to its
owner (the window in ``kiosk.ui.launch``, the checks in ``kiosk.diagnostics``, ``set-pin`` here).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk import __version__
from kiosk.config import DataDirError, prepare_data_dir


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ward-kiosk",
        description="NHS Friends and Family Test kiosk for a hospital ward.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=["set-pin", "translations"],
        help="set-pin: set the ward staff PIN (asked for twice, never shown; see --pin-stdin). "
        "translations: list every survey language's status and missing strings (see --survey)",
    )
    parser.add_argument(
        "--survey",
        metavar="ID",
        help="with translations: only this survey, e.g. fft-inpatient (default: every survey)",
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
    if args.survey is not None and args.command != "translations":
        parser.error("--survey goes with translations: ward-kiosk translations --survey ID")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ward-kiosk`` with *argv* (default: the process's); returns the exit status."""
    args = parse_args(argv)
    from kiosk.logs import setup_logging

    setup_logging(args.log_level, args.log_dir)
    if args.print_config:
        from kiosk.diagnostics import print_config

        return print_config(args.config, args.data_dir)
    if args.command == "set-pin":
        return set_pin(args.data_dir, from_stdin=args.pin_stdin)
    if args.command == "translations":
        from kiosk.translations import command

        return command(args.survey, args.config)
    if args.check or args.self_test:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication

        from kiosk.diagnostics import check

        # The font check measures text, which needs a Qt application.
        _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
        return check(args.config, args.data_dir, with_sync=args.self_test)

    from kiosk.ui.launch import run

    return run(args.config, args.data_dir, windowed=args.windowed)


def set_pin(data_dir: Path | None, from_stdin: bool = False) -> int:
    """``set-pin``: store only the scrypt hash of a new staff PIN.

    At a terminal the PIN is asked for twice and never shown. With *from_stdin*
    (``--pin-stdin``) it is the first line of standard input, once, for IT scripts that set up
    many tablets. A damaged PIN file is replaced.
    """
    import getpass

    from kiosk.staff import PinError, PinFile, StaffPin
    from kiosk.store import LocalStore, StoreError

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
