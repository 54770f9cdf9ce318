"""Alembic migrations, run by `execflow init` and at start-up."""
