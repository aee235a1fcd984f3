"""Alembic migrations of the registry (batch mode: one history for SQLite and PostgreSQL)."""
