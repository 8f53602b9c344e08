"""What a withdrawal deletes covers every table that holds a case's data, including tables added later."""

from __future__ import annotations

from reclaim.store.models import Base
from reclaim.store.withdrawals import touched_tables


def test_every_table_that_refers_to_a_case_is_emptied_of_it_by_a_withdrawal() -> None:
    # A new table that names a case must either carry case_id (deleted by name) or reach the case
    # through foreign keys that cascade; otherwise the withdrawal would fail or leave rows behind.
    touched = set(touched_tables())
    for table in Base.metadata.sorted_tables:
        parents = [key for key in table.foreign_keys if key.column.table.name in touched]
        if table.name == "audit_events" or "case_id" in table.c or not parents:
            continue
        for key in parents:
            assert key.ondelete == "CASCADE", f"{table.name}.{key.parent.name} does not cascade"


def test_the_tables_vacuumed_include_those_emptied_by_cascade() -> None:
    touched = set(touched_tables())
    assert {
        "cases",
        "audit_events",
        "scanned_items",
        "bank_entry_views",
        "notices",
        "notice_events",
    } <= touched
    assert not {"installations", "channels", "scans"} & touched
