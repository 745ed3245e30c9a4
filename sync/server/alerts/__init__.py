"""Alerts: what a ward's managers should hear about at once, without opening the web app.

A comment with safeguarding words, a comment tagged very negative, or a ward whose %
negative jumps raises an alert (``raising``, ``jumps``). Alerts live in the database, once
each; a background sender (``sender``) turns them into e-mails and webhook posts as the
server config says (``settings``), with a link to the web app and never the comment itself.
"""

from sync.server.alerts.raising import raise_for_comments

__all__ = ["raise_for_comments"]
