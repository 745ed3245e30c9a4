"""A QR code painted from ``qrcode``'s module matrix, so no image library is needed."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


def qr_matrix(data: str) -> list[list[bool]]:
    """The dark/light modules of a QR code for *data*, with a four-module quiet zone."""
    import qrcode  # only kiosks with a phone link need it, so it stays off the start-up path

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


class QrCode(QWidget):
    """Shows *data* as a square QR code, black on white whatever the theme, so phones read it.

    Attributes:
        data: the encoded text (a link); empty hides nothing by itself, the parent decides.
    """

    def __init__(self, data: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qr-code")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.matrix: list[list[bool]] = []
        self.set_data(data)

    def set_data(self, data: str) -> None:
        self.data = data
        self.matrix = qr_matrix(data) if data else []
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def sizeHint(self) -> QSize:
        return QSize(240, 240)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 160)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.matrix:
            return
        painter = QPainter(self)
        side = min(self.width(), self.height())
        modules = len(self.matrix)
        cell = side / modules
        left = (self.width() - side) / 2
        top = (self.height() - side) / 2
        painter.fillRect(QRectF(left, top, side, side), QColor("#FFFFFF"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#000000"))
        size = cell + 0.5  # overlap by a hair so no seams show between modules
        for y, row in enumerate(self.matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.drawRect(QRectF(left + x * cell, top + y * cell, size, size))
        painter.end()
