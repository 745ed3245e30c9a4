"""The Sync page: what staff read about sending to the central server, "Sync now", and the
device's QR code for IT's asset checks (``kiosk.device_status`` words both).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.device_status import device_details, sync_lines
from kiosk.store import LocalStore
from kiosk.ui.staff.pages.page import StaffPage
from kiosk.ui.widgets.labels import make_button, make_label, set_words
from kiosk.ui.widgets.qr import QrCode

# Staff screens are built the first time staff get in, so this import (requests, pydantic)
# is never on the kiosk's start-up path.
from sync.status import SyncStatus


class SyncPage(StaffPage):
    """Sync status and device details. Shown as ``show_sync`` last gave them: the window
    passes on every status the sync worker sends.

    Attributes:
        sync_text: the sync-status lines.
        sync_now: asks for a sync straight away (hidden when sync is not configured).
        device_qr: the device details, as a QR code.

    Signals:
        sync_requested(): staff pressed "Sync now".
    """

    title = "Sync"
    sync_requested = Signal()

    def __init__(
        self, store: LocalStore, config: KioskConfig, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.config = config
        layout = QVBoxLayout(self)
        self.sync_text = make_label("body")
        self.sync_text.setObjectName("sync-status")
        self.sync_text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.sync_now = make_button("primary")
        set_words(self.sync_now, "Sync now")
        self.sync_now.clicked.connect(self.sync_requested)
        layout.addWidget(self.sync_text)
        layout.addWidget(self.sync_now, 0, Qt.AlignmentFlag.AlignLeft)
        asset = make_label("body")
        asset.setText("Device details for IT (scan for asset checks)")
        self.device_qr = QrCode()
        self.device_qr.setObjectName("device-qr")
        self.device_qr.setFixedSize(220, 220)
        layout.addWidget(asset)
        layout.addWidget(self.device_qr)
        layout.addStretch(1)
        self.show_sync(None, "")

    def device_details(self, device_id: str) -> str:
        """What the device QR code says: enough for an asset check, nothing about patients."""
        pending = self.store.sync_counts()["pending"]
        return device_details(self.config.location, device_id, pending)

    def show_sync(self, status: SyncStatus | None, device_id: str) -> None:
        """Show *status* (None: the sync worker has said nothing yet) for device *device_id*."""
        self.device_qr.set_data(self.device_details(device_id))
        sync = self.config.sync
        self.sync_now.setVisible(sync is not None)
        lines = sync_lines(
            sync.server_url if sync is not None else None,
            device_id,
            self.store.sync_counts(),
            status,
            self.config.location.zone,
        )
        self.sync_text.setText("\n".join(lines))
