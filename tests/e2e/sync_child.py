"""A kiosk process that only syncs: pushes its backlog batch by batch, printing each.

Used by test_sync.py, which kills it with SIGKILL mid-sync and then lets it finish.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.store import LocalStore
from sync.client import SyncClient
from sync.device import DeviceIdentity
from sync.engine import SyncEngine


class Announcing(SyncClient):
    def push(self, batch_id, items):  # type: ignore[no-untyped-def]
        result = super().push(batch_id, items)
        print(f"batch {len(items)}", flush=True)
        return result


def main() -> int:
    path, url, token, batch_size = sys.argv[1:5]
    store = LocalStore(Path(path))
    engine = SyncEngine(
        store,
        Announcing(url, token=token),
        DeviceIdentity("child", token, url),
        batch_size=int(batch_size),
    )
    delay = engine.sync()
    store.close()
    return 0 if delay is None and not engine.stopped else 1


if __name__ == "__main__":
    sys.exit(main())
