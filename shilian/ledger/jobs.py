"""Background work of the ledger: closing the days that are over (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from shilian.ledger.actions import close_due_days


@task()
def close_days() -> int:
    """Sign the daily root of every day that is over and not closed yet. Idempotent:
    nothing to do once yesterday is closed. Returns how many days it closed."""
    return len(close_due_days())
