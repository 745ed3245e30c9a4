"""Ward feedback kiosk: the NHS Friends and Family Test on a ward tablet, stored locally first."""

__version__ = "0.1.0"
