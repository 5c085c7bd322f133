"""What the event tables keep on PostgreSQL for the deadline sweep, intake and the figures:
room on each page for flag updates, and no index the sweep would write for nothing."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage options"),
]


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_event_pages_keep_room_for_the_sweeps_flag_updates():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'events_event'")
        (options,) = cursor.fetchone()
    assert "fillfactor=80" in (options or [])


def test_flag_columns_and_paths_are_not_indexed_twice():
    events = _indexes("events_event")
    # the sweep's flags and stamps, written for thousands of rows a run, are in no index
    for column in ("warned", "overdue", "overdue_escalated", "supervision", "overdue_at"):
        assert not any(f"({column})" in d for d in events.values()), column
    # the path columns are answered by the composite indexes that lead with them
    assert not any("varchar_pattern_ops" in d and "path" in d for d in events.values())
    for table in ("events_timelineentry", "events_supervisionrecord"):
        assert not any("varchar_pattern_ops" in d for d in _indexes(table).values()), table


def test_the_figures_period_counts_have_indexes_intake_does_not_write():
    events = _indexes("events_event")
    # metrics count an area's events by these times; a new report has none of them yet, so
    # the indexes are partial on the time being set and intake writes none of them
    for name, column in (
        ("event_path_closed", "closed_at"),
        ("event_path_rated", "rated_at"),
        ("event_path_deadline", "deadline"),
    ):
        definition = events[name]
        assert f"(area_path, {column})" in definition, definition
        assert f"WHERE ({column} IS NOT NULL)" in definition, definition
