"""Alembic's entry point: always run by core.store.migrations on a connection it has opened,
inside the transaction that holds the store's migration lock."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
