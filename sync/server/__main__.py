"""``python -m sync.server``."""

import sys

from sync.server.cli import main

sys.exit(main())
