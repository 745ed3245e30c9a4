"""Kiosk mode around the window: one instance, no way out but staff mode, a screen that stays on.

Each measure is best effort where the platform decides (screen blanking), and says in the log
what it managed.
"""

from __future__ import annotations

import ctypes
import getpass
import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)


def instance_name() -> str:
    return f"ward-kiosk-{getpass.getuser()}"


def ask_running_instance_to_show(name: str | None = None) -> bool:
    """If a kiosk already runs for this user, ask it to come to the front; True if it did."""
    socket = QLocalSocket()
    socket.connectToServer(name or instance_name())
    if not socket.waitForConnected(500):
        return False
    socket.write(b"show\n")
    socket.waitForBytesWritten(500)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later launches; each one calls *show* on this instance.

    Attributes:
        server: the local socket server (named after the user, so kiosks of different users
            on a shared machine do not clash).
    """

    def __init__(self, show: Callable[[], None], name: str | None = None) -> None:
        super().__init__()
        self.show = show
        self.server = QLocalServer(self)
        name = name or instance_name()
        if not self.server.listen(name):
            # A stale socket left by a crash: no one answered, so it is safe to replace.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._on_message(c))

    def _on_message(self, connection: QLocalSocket) -> None:
        if bytes(connection.readAll().data()).strip() == b"show":
            log.info("a second launch asked this kiosk to come to the front")
            self.show()
        connection.disconnectFromServer()


def keep_screen_on() -> bool:
    """Ask the platform not to blank the screen; True if it agreed."""
    if sys.platform == "win32":
        es_continuous, es_display_required, es_system_required = 0x80000000, 0x2, 0x1
        windll = getattr(ctypes, "windll", None)
        if windll is None:
            return False
        result = windll.kernel32.SetThreadExecutionState(
            es_continuous | es_display_required | es_system_required
        )
        return bool(result)
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        log.info("no session bus: screen blanking is left to the system (set it off for kiosks)")
        return False
    screensaver = QDBusInterface(
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver",
        bus,
    )
    if not screensaver.isValid():
        return False
    reply = screensaver.call("Inhibit", "ward-kiosk", "collecting patient feedback")
    return reply.errorName() == ""


def install_crash_guard(recover: Callable[[], None]) -> None:
    """An unhandled exception is logged in full, and the kiosk goes back to the question
    screen instead of dying."""

    def hook(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, trace)
            return
        log.error(
            "unexpected error; back to the question screen\n%s",
            "".join(traceback.format_exception(kind, value, trace)),
        )
        try:
            recover()
        except Exception:
            log.exception("could not return to the question screen")

    sys.excepthook = hook
