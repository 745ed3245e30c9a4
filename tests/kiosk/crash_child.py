"""Records ratings in a loop, printing each id once ``record()`` has returned.

Used by test_crash.py, which kills this process with SIGKILL at random moments.
"""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.store import LocalStore, Origin

ORIGIN = Origin("fft-inpatient", 1, "RWD", "RWDLA", "Ward 7", "Other", ZoneInfo("Europe/London"))


def main() -> None:
    store = LocalStore(Path(sys.argv[1]))
    print("ready", flush=True)
    rating = 0
    while True:
        rating = rating % 6 + 1
        response_id = store.record(rating, ORIGIN, language="en")
        print(response_id, flush=True)


if __name__ == "__main__":
    main()
