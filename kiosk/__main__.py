"""``python -m kiosk`` runs the kiosk."""

import sys

from kiosk.cli import main

sys.exit(main())
