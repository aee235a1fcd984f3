"""Alembic environment of the registry, driven by :mod:`clears.registry.migrate`.

Runs online only, in batch mode (``render_as_batch``) so that column and constraint changes
are written as table copies on SQLite and as ``ALTER TABLE`` on PostgreSQL, from one history.
"""

from __future__ import annotations

from alembic import context

from clears.registry._engine import make_engine
from clears.registry._models import METADATA


def _run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=METADATA, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


# Alembic runs this file as a script; importing it elsewhere (doctest collection) does nothing.
if getattr(context, "_proxy", None) is not None:
    _run()
