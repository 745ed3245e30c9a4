"""The Alembic environment for the server's schema: every change after the frozen v1.

``sync.server.schema.migrate`` runs it at every start-up; ``alembic.ini`` here says how to
write a revision.
"""
