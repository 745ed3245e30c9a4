"""Reusable widgets: face buttons, the QR code, labelled buttons."""
