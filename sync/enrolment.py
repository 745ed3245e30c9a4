"""Enrolment: trading IT's key for a device token, and keeping the kiosk's place the server's.

The server holds a device to the place (organisation, site, ward) its key was for. So before
anything is sent, the kiosk checks that its kiosk.toml says the same place: a mismatch stops
sync with a sentence for IT, and the responses wait, pending, instead of being refused one by
one. A new key in kiosk.toml (a tablet moved to another ward) is enrolled again with the
device's own token, which is what the server asks of an enrolled device.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sync.client import AlreadyEnrolled, Refused, Revoked, TooLarge, Transient
from sync.device import DeviceIdentity, save_identity
from sync.protocol import DeviceInfo, EnrollReply

log = logging.getLogger(__name__)

#: Where a kiosk reports for: (org_code, site_code, ward_name).
Place = tuple[str, str, str]


class Enroller(Protocol):
    """What enrolment needs of the HTTP client (``sync.client.SyncClient`` provides it)."""

    base_url: str
    token: str | None

    def enroll(
        self, key: str, device_id: str, name: str, app_version: str, token: str | None = None
    ) -> EnrollReply: ...

    def whoami(self) -> DeviceInfo: ...


class NotReady(Exception):
    """Sync cannot go on yet. ``str()`` is a sentence for staff and IT.

    Attributes:
        stop: True when it needs IT (a refused key, the wrong place); False when it is worth
            trying again later (no network).
    """

    def __init__(self, reason: str, stop: bool) -> None:
        super().__init__(reason)
        self.stop = stop


def key_digest(key: str) -> str:
    """What device.json keeps of the enrollment key: enough to notice a new one, not the key."""
    return hashlib.sha256(key.encode()).hexdigest()


def describe(place: Sequence[str]) -> str:
    """A place as a sentence shows it: ``RWD / RWDLA / 'Ward 7'``."""
    org, site, ward = place
    return f"{org} / {site} / {ward!r}"


@dataclass
class Enrolment:
    """One kiosk's standing with the central server.

    Attributes:
        place: where kiosk.toml says this kiosk is; None to skip the check.
    """

    client: Enroller
    identity: DeviceIdentity
    key: str = ""
    device_name: str = "ward kiosk"
    app_version: str = "0"
    data_dir: Path | None = None
    place: Place | None = None

    def ready(self) -> None:
        """Enrol if needed, then check the place.

        :raises NotReady: with what stops sync, and whether it needs IT.
        """
        identity = self.identity
        new_key = bool(
            self.client.token
            and self.key
            and identity.key_hash
            and identity.key_hash != key_digest(self.key)
        )
        if not self.client.token or new_key:
            self._enrol(self.client.token if new_key else None)
        elif self.key and not identity.key_hash:
            identity.key_hash = key_digest(self.key)  # enrolled before keys were remembered
            self._save()
        if self.place is None:
            return
        if not identity.place:
            self._learn_place()
        if identity.place and tuple(identity.place) != self.place:
            raise NotReady(
                f"kiosk.toml says this kiosk is {describe(self.place)}, but it is enrolled for "
                f"{describe(identity.place)} (the place its enrollment key was made "
                "for); ask IT to correct [location] in kiosk.toml, or to give it a key for "
                "this ward. Nothing is sent until they match; every answer is kept.",
                stop=True,
            )

    def _enrol(self, current_token: str | None) -> None:
        if not self.key:
            raise NotReady(
                "this kiosk has no enrollment key; IT should set [sync] enrollment_key", stop=True
            )
        try:
            try:
                reply = self._ask(current_token)
            except AlreadyEnrolled:
                if current_token is not None:
                    raise
                # This kiosk has no token for its device id (an enrolment reply lost on a
                # bad network, or device.json restored from elsewhere): enrol as a new device.
                # The old record stays on the server for IT to revoke.
                old = self.identity.device_id
                self.identity.device_id = str(uuid.uuid4())
                log.warning(
                    "device %s is already enrolled without this kiosk holding its token; "
                    "enrolling as new device %s",
                    old,
                    self.identity.device_id,
                )
                reply = self._ask(None)
        except (Revoked, Refused) as exc:
            raise NotReady(str(exc), stop=True) from None
        except (Transient, TooLarge) as exc:
            raise NotReady(str(exc), stop=False) from None
        self.identity.token = reply.device_token
        self.identity.server_url = self.client.base_url
        self.identity.key_hash = key_digest(self.key)
        self.identity.place = [reply.org_code, reply.site_code, reply.ward_name]
        self.client.token = reply.device_token
        self._save()
        log.info("enrolled with the central server as %s", reply.ward_name)

    def _ask(self, current_token: str | None) -> EnrollReply:
        return self.client.enroll(
            self.key,
            self.identity.device_id,
            self.device_name,
            self.app_version,
            token=current_token,
        )

    def _learn_place(self) -> None:
        # Enrolled before the place was remembered: ask the server once.
        try:
            me = self.client.whoami()
        except Revoked as exc:
            raise NotReady(str(exc), stop=True) from None
        except (Transient, TooLarge) as exc:
            raise NotReady(str(exc), stop=False) from None
        except Refused as exc:  # a server that cannot say: its own ingest check still holds
            log.warning("could not check this kiosk's place with the server: %s", exc)
            return
        self.identity.place = [me.org_code, me.site_code, me.ward_name]
        self._save()

    def _save(self) -> None:
        if self.data_dir is not None:
            save_identity(self.data_dir, self.identity)
