"""The Audit page: the latest staff actions, newest first (``kiosk.audit`` words them)."""

from __future__ import annotations

from datetime import date, tzinfo

from PySide6.QtWidgets import QListWidget, QVBoxLayout, QWidget

from kiosk.audit import audit_lines
from kiosk.store import LocalStore
from kiosk.ui.staff.pages.page import StaffPage


class AuditPage(StaffPage):
    """The staff audit.

    Attributes:
        audit_list: one line per action, newest first.
    """

    title = "Audit"

    def __init__(self, store: LocalStore, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.zone = zone
        layout = QVBoxLayout(self)
        self.audit_list = QListWidget()
        self.audit_list.setObjectName("audit-list")
        layout.addWidget(self.audit_list)

    def refresh(self, first: date, last: date) -> None:
        self.audit_list.clear()
        self.audit_list.addItems(audit_lines(self.store, self.zone))
