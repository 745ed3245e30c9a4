"""Ward feedback kiosk: the NHS Friends and Family Test on a ward tablet, stored locally first."""

import sys

__version__ = "0.1.0"


def _sqlite_utils_without_numpy() -> None:
    """Import sqlite-utils as if numpy and pandas were absent.

    sqlite-utils imports both at its own import, when installed, to store their types. The
    kiosk stores neither, and on a machine that also has the server's analysis extra (numpy)
    that import added about 100 ms and 20 MiB to every kiosk start. They are hidden only while
    sqlite-utils loads: anything importing numpy afterwards gets it as usual.
    """
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            sys.modules.pop(name, None)


_sqlite_utils_without_numpy()
