"""Banks on both databases: provenance kept, duplicates skipped, withdrawal deletes the value."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from reclaim.bank.entries import Attestation, EntryStatus, ExtraView, NewEntry, Provenance, SourceKind
from reclaim.store.banks import (
    active_signal_table,
    active_signals,
    add_entries,
    ensure_list_bank,
    list_banks,
    list_entries,
    withdraw_entries,
)
from reclaim.store.cases import case_bank_name, create_case, get_case, list_cases
from reclaim.store.migrate import upgrade_to_head
from reclaim.store.models import AuditEvent, BankEntryView

PDQ = "f" * 32 + "0" * 32
SHA = "ab" * 32
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def provenance(kind: SourceKind = SourceKind.OWN_FILE) -> Provenance:
    return Provenance("caseworker-li", NOW, Attestation.ON_BEHALF, kind, "installation:test")


def entries(item: str = "item-1") -> list[NewEntry]:
    return [
        NewEntry("sha256", SHA, None, provenance(), item),
        NewEntry("pdq", PDQ, 87, provenance(), item, views=(ExtraView("crop-top", "0" * 64),)),
    ]


@pytest.fixture
def bank_engine(engine: Engine) -> Engine:
    upgrade_to_head(engine)
    create_case(engine, case_id="case1", title="小美", created_at=NOW, actor="caseworker-li")
    return engine


def test_added_entries_keep_their_provenance(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, case_bank_name("case1"), entries(), actor="li", action="bank.protect")

    assert [a.already_present for a in added] == [False, False]
    stored = list_entries(bank_engine, case_id="case1")
    assert [(e.signal_type, e.value, e.quality) for e in stored] == [("sha256", SHA, None), ("pdq", PDQ, 87)]
    assert all(e.provenance == provenance() for e in stored)
    assert all(e.bank == "case-case1" and e.status is EntryStatus.ACTIVE for e in stored)


def test_adding_the_same_values_again_returns_the_existing_entries(bank_engine: Engine) -> None:
    first = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    again = add_entries(bank_engine, "case-case1", entries("item-2"), actor="li", action="bank.protect")

    assert [a.entry_id for a in again] == [a.entry_id for a in first]
    assert all(a.already_present and a.item_id == "item-1" for a in again)
    assert len(list_entries(bank_engine)) == 2


def test_case_counts_follow_the_entries(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    withdraw_entries(bank_engine, [added[0].entry_id], actor="li", reason="test")

    case = get_case(bank_engine, "case1")
    assert case is not None
    assert (case.active_entries, case.withdrawn_entries, case.protected_items) == (1, 1, 1)
    assert [c.id for c in list_cases(bank_engine)] == ["case1"]


def test_withdrawal_deletes_the_value_and_views_but_keeps_who_and_when(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    pdq_id = added[1].entry_id

    [withdrawn] = withdraw_entries(bank_engine, [pdq_id], actor="victim", reason="her request")

    assert withdrawn.value is None and withdrawn.status is EntryStatus.WITHDRAWN
    assert withdrawn.withdrawn_by == "victim" and withdrawn.withdraw_reason == "her request"
    assert withdrawn.provenance == provenance()
    assert [s.signal_type for s in active_signals(bank_engine)] == ["sha256"]
    with Session(bank_engine) as session:
        assert session.scalars(select(BankEntryView)).all() == []
        raw = session.execute(text("SELECT value FROM bank_entries WHERE id = :id"), {"id": pdq_id}).scalar()
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert raw is None
    assert actions == ["case.create", "bank.protect", "bank.withdraw"]


def test_an_import_does_not_bring_back_a_withdrawn_hash(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    withdraw_entries(bank_engine, [added[1].entry_id], actor="victim", reason="her request")
    ensure_list_bank(bank_engine, "stopncii", source="feed")
    imported = [NewEntry("pdq", PDQ.upper(), 90, provenance(SourceKind.IMPORT), "imp-1", external_id="x1")]

    result = add_entries(bank_engine, "stopncii", imported, actor="import", action="bank.import")

    assert result[0].withdrawn_here and result[0].already_present
    assert [s.signal_type for s in active_signals(bank_engine)] == ["sha256"]


def test_protecting_again_after_withdrawal_is_her_decision(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    withdraw_entries(bank_engine, [added[1].entry_id], actor="victim", reason="changed her mind")

    again = add_entries(
        bank_engine, "case-case1", entries(), actor="victim", action="bank.protect", respect_withdrawals=False
    )

    assert not again[1].already_present and again[1].entry_id != added[1].entry_id
    signals = active_signals(bank_engine)
    assert [(s.signal_type, s.views) for s in signals][1] == ("pdq", (ExtraView("crop-top", "0" * 64),))


def test_banks_are_listed_with_their_counts(bank_engine: Engine) -> None:
    add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    ensure_list_bank(bank_engine, "hma-export", source="file.csv")

    summary = {b.name: (b.kind, b.active_entries, b.withdrawn_entries) for b in list_banks(bank_engine)}

    assert summary == {"case-case1": ("case", 2, 0), "hma-export": ("list", 0, 0)}


def test_a_hash_protected_again_after_withdrawal_can_be_imported(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    withdraw_entries(bank_engine, [added[1].entry_id], actor="victim", reason="changed her mind")
    add_entries(
        bank_engine, "case-case1", entries(), actor="victim", action="bank.protect", respect_withdrawals=False
    )
    ensure_list_bank(bank_engine, "partner", source="feed")

    [result] = add_entries(
        bank_engine,
        "partner",
        [NewEntry("pdq", PDQ, 90, provenance(SourceKind.IMPORT), "imp")],
        actor="x",
        action="i",
    )

    assert not result.already_present and not result.withdrawn_here


def test_the_signal_table_lists_active_entries_and_views_column_by_column(bank_engine: Engine) -> None:
    added = add_entries(bank_engine, "case-case1", entries(), actor="li", action="bank.protect")
    ensure_list_bank(bank_engine, "partner", source="feed")
    other = [NewEntry("md5", "c" * 32, None, provenance(SourceKind.IMPORT), "imp")]
    add_entries(bank_engine, "partner", other, actor="x", action="bank.import")
    withdraw_entries(bank_engine, [added[0].entry_id], actor="victim", reason="test")

    table = active_signal_table(bank_engine)

    assert table.signal_types == ["pdq", "md5"]
    names = {bank: name_and_case for bank, name_and_case in table.banks.items()}
    assert [names[int(b)] for b in table.bank_ids] == [("case-case1", "case1"), ("partner", None)]
    assert table.qualities.tolist() == [87, -1]
    assert table.pdq_rows.tolist() == [0, 0] and table.pdq_vias == ["whole", "crop-top"]
    assert [bytes(row).hex() for row in table.pdq_hashes] == [PDQ, "0" * 64]
    assert table.texts == {1: "c" * 32}
    only_case = active_signal_table(bank_engine, case_id="case1")
    assert only_case.signal_types == ["pdq"] and only_case.pdq_vias == ["whole", "crop-top"]
