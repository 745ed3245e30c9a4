"""This kiosk's identity with the central server: a device id, and the token it enrolled for.

Kept in ``device.json`` in the data dir, readable by the kiosk's user only. The token is a
secret: it is never logged and never shown.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sync.atomic import write_json

DEVICE_FILE = "device.json"


@dataclass
class DeviceIdentity:
    """Attributes:
    device_id: made on first start, kept for the life of the data dir.
    token: the device token, empty until enrolled.
    server_url: the server the token belongs to (a new server means enrolling again).
    key_hash: SHA-256 of the enrollment key it enrolled with (a new key means enrolling again).
    place: [org_code, site_code, ward_name] the server holds this device to.
    """

    device_id: str
    token: str = ""
    server_url: str = ""
    key_hash: str = ""
    place: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # never let the token reach a log line
        return f"DeviceIdentity(device_id={self.device_id!r}, enrolled={bool(self.token)})"


def load_identity(data_dir: Path) -> DeviceIdentity:
    """The saved identity, or a new device id if there is none (or the file is unreadable)."""
    path = data_dir / DEVICE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        place = data.get("place") or []
        return DeviceIdentity(
            device_id=str(uuid.UUID(data["device_id"])),
            token=str(data.get("token", "")),
            server_url=str(data.get("server_url", "")),
            key_hash=str(data.get("key_hash", "")),
            place=[str(part) for part in place] if len(place) == 3 else [],
        )
    except (OSError, ValueError, KeyError, TypeError):
        identity = DeviceIdentity(device_id=str(uuid.uuid4()))
        save_identity(data_dir, identity)
        return identity


def save_identity(data_dir: Path, identity: DeviceIdentity) -> None:
    """Write atomically, mode 0600 where the OS has modes."""
    write_json(data_dir / DEVICE_FILE, asdict(identity))
