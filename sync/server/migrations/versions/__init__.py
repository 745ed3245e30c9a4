"""Alembic revisions, oldest first by their four-digit ids; released ones are never edited."""
