"""`reclaim withdraw` through the real entry point, on SQLite and PostgreSQL: nothing of her case is left.

Two cases share one installation and one scan. After the first is withdrawn, no hash, digest,
title or capture of hers is in any file under RECLAIM_HOME (the SQLite database, its -wal and
-shm, the vault; searched while another connection keeps the database open, as `reclaim serve`
does) or in any table, while the second case keeps all of its data and its evidence bundle still
verifies. Every search is first shown to find its values before the withdrawal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, text
from sqlalchemy import select as select_rows

from reclaim.store.database import create_database_engine
from tests.e2e.scan_scenario import NAME, PHONE, Scenario, build_scenario
from tests.e2e.test_cli_bank import home_env, lines, new_case
from tests.e2e.test_cli_hash import jpeg_bytes, reclaim

__all__ = ["home_env"]

PASSPHRASE = "her own passphrase"
HER_TITLE = "小美 Qzx-withdraw"  # no hex digits in the Latin part: a random hash cannot contain it
OTHER_TITLE = "阿芳 Kyw-stays"
OTHER_PHONE = "13698765432"


@pytest.fixture
def env(home_env: dict[str, str]) -> dict[str, str]:
    return {**home_env, "RECLAIM_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path / "scenario")


def test_withdrawal_leaves_no_trace_of_her_case_and_keeps_the_other_intact(
    env: dict[str, str], scenario: Scenario, tmp_path: Path
) -> None:
    home = Path(env["RECLAIM_HOME"])
    hers, other = set_up_two_cases(env, scenario, tmp_path)
    her_traces = traces_of(env, hers, HER_TITLE, capture=tmp_path / "her-capture.jpg")
    other_traces = traces_of(env, other, OTHER_TITLE)
    her_audit_ids = audit_event_ids(env, hers)
    other_leads = leads_of(env, other)
    assert her_audit_ids and other_leads

    # The searches below can fail: before the withdrawal they find every value of hers.
    assert_found(home, env, her_traces)
    assert_found(home, env, other_traces)

    refused = run_without_terminal(env, "withdraw", hers)
    assert refused.returncode == 1 and "confirmed" in refused.stderr and "--yes" in refused.stderr
    assert reclaim("case", "show", hers, env=env).returncode == 0  # nothing was deleted

    # Another program keeps the database open, as `reclaim serve` does: the withdrawal's own
    # exit is then not the last close, which would have checkpointed the WAL by itself.
    with idle_sqlite_reader(env):
        run = reclaim("withdraw", hers, "--yes", "--json", env=env)
        assert run.returncode == 0, run.stderr
        assert_gone_from_files(home, her_traces)

    [summary] = lines(run.stdout)
    assert summary["case_id"] == hers and summary["already_withdrawn"] is False
    assert summary["deleted"] == {
        "entries": len(her_traces.entry_values),
        "identifiers": 2,
        "sightings": 2,  # the one added by hand and the accepted lead
        "captures": 2,
        "notices": 0,
        "leads": her_traces.leads,
    }
    assert_gone_from_tables(env, her_traces, hers)
    assert not (home / "vault" / hers).exists()

    assert_found(home, env, other_traces)
    assert leads_of(env, other) == other_leads
    assert_bundle_verifies(env, other, tmp_path / "other.zip")
    [event] = withdrawal_events(env)  # who and when are columns; no title, no hash
    assert set(event) == {"case_id", "deleted", "entry_ids"}
    assert (event["case_id"], event["deleted"]) == (hers, summary["deleted"])
    assert len(event["entry_ids"]) == len(her_traces.entry_values)
    assert audit_event_ids(env, hers) == [] and not set(her_audit_ids) & set(all_audit_ids(env))
    shown = reclaim("case", "show", hers, env=env)
    assert shown.returncode == 1 and f"Case {hers} was withdrawn on" in shown.stderr

    again = reclaim("withdraw", hers, "--yes", "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert lines(again.stdout)[0]["already_withdrawn"] is True
    unknown = reclaim("withdraw", "nosuchcase", "--yes", env=env)
    assert unknown.returncode == 1
    assert "There is no case nosuchcase" in unknown.stderr and "hint:" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_on_a_terminal_it_shows_what_goes_and_declining_deletes_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(env, HER_TITLE)
    photo = tmp_path / "mine.jpg"
    photo.write_bytes(jpeg_bytes("astronaut"))
    assert reclaim("protect", case_id, photo, "--attest", "self", env=env).returncode == 0

    code, output = run_on_terminal(env, ["withdraw", case_id], answer=b"n\n")

    assert code == 1
    assert HER_TITLE in output and "3 protected hashes" in output and "0 captures" in output
    assert "Withdraw this case?" in output and "Nothing was deleted." in output
    shown = lines(reclaim("case", "show", case_id, "--json", env=env).stdout)
    assert shown[0]["active_entries"] == 3


# --- the two cases -------------------------------------------------------------------------


def set_up_two_cases(env: dict[str, str], scenario: Scenario, tmp_path: Path) -> tuple[str, str]:
    """Her case (photo, details, a capture, accepted leads) and another that shares a found item."""
    hers, other = new_case(env, HER_TITLE), new_case(env, OTHER_TITLE)
    edited = scenario.protected_photo.parent / "edited"
    check(reclaim("protect", hers, scenario.protected_photo, "--attest", "self", env=env))
    # The chat screenshot of her photo is in the other case's bank too: its found copy is named by
    # both cases' leads, so it must stay after her withdrawal.
    shared = [edited / "screenshot.jpg", edited / "coffee.jpg"]
    check(reclaim("protect", other, "--from-found", *shared, "--attest", "on-behalf", env=env))
    check(reclaim("identifiers", "add", hers, "--phone", PHONE, "--name", NAME, env=env))
    check(reclaim("identifiers", "add", other, "--phone", OTHER_PHONE, env=env))
    for number, (case_id, image, name) in enumerate(
        ((hers, "camera", "her-capture.jpg"), (other, "rocket", "other-capture.jpg")), start=1
    ):
        capture = tmp_path / name
        capture.write_bytes(jpeg_bytes(image, (320, 240)))
        url = f"t.me/c/1234567/{number}"
        check(reclaim("evidence", "add", case_id, "--url", url, "--capture", capture, env=env))
    for export in scenario.exports[:2]:
        check(reclaim("scan", "telegram-export", export, env=env))
    accept_lead(env, hers, channel="1700000002", message_id=2)  # the watermarked copy: hers only
    accept_lead(env, other, channel="1700000001", message_id=3)  # coffee
    return hers, other


def accept_lead(env: dict[str, str], case_id: str, *, channel: str, message_id: int) -> None:
    [lead] = [
        lead
        for lead in leads_of(env, case_id)
        if lead["source"]["channel_id"] == channel and lead["source"]["message_id"] == message_id
    ]
    check(reclaim("review", "accept", str(lead["review_id"]), env=env))


def leads_of(env: dict[str, str], case_id: str) -> list[dict[str, Any]]:
    run = check(reclaim("review", "list", "--case", case_id, "--status", "all", "--json", env=env))
    return lines(run.stdout)


def check(run: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert run.returncode == 0, run.stderr
    return run


# --- what is searched for --------------------------------------------------------------------


class Traces:
    """Every value of one case that must be found before, and nowhere after, its withdrawal."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}  # label -> value, as the database keeps it (hex, text)
        self.never_stored: dict[str, bytes] = {}  # raw hash bytes, capture plaintext: never on disk
        self.sealed: dict[str, bytes] = {}  # slices of the case's vault files
        self.entry_values: list[str] = []
        self.leads = 0


def traces_of(env: dict[str, str], case_id: str, title: str, capture: Path | None = None) -> Traces:
    traces = Traces()
    traces.texts["title"] = title
    shown = lines(check(reclaim("case", "show", case_id, "--json", "--withdrawn", env=env)).stdout)
    for entry in shown[1:]:
        value = str(entry["value"])
        traces.entry_values.append(value)
        traces.texts[f"entry {entry['entry_id']} {entry['signal']}"] = value
        traces.never_stored[f"entry {entry['entry_id']} bytes"] = bytes.fromhex(value)
    listed = lines(check(reclaim("identifiers", "list", case_id, "--json", env=env)).stdout)
    for identifier in listed:
        traces.texts[f"identifier {identifier['kind']}"] = str(identifier["digest"])
    with database(env) as engine, engine.connect() as connection:
        for label, value in case_rows(connection, case_id):
            traces.texts[label] = value
        traces.leads = connection.execute(
            text("SELECT count(*) FROM review_items WHERE case_id = :case"), {"case": case_id}
        ).scalar_one()
    for path in sorted((Path(env["RECLAIM_HOME"]) / "vault" / case_id).iterdir()):
        if path.name != "case-key.json":
            traces.sealed[f"vault {path.name}"] = path.read_bytes()[-48:]
    if capture is not None:
        plain = capture.read_bytes()
        traces.never_stored["capture plaintext"] = plain[len(plain) // 2 : len(plain) // 2 + 64]
        traces.texts["capture sha256"] = hashlib.sha256(plain).hexdigest()
    assert traces.entry_values and traces.sealed and len(traces.texts) > len(traces.entry_values) + 2
    return traces


def case_rows(connection: Any, case_id: str) -> Iterator[tuple[str, str]]:
    """Values only the database shows: extra bank-side views, and the hashes of found items that
    only this case's leads name (found items other cases' leads name are not hers alone)."""
    views = connection.execute(
        text(
            "SELECT v.id, v.value FROM bank_entry_views v JOIN bank_entries e ON e.id = v.entry_id "
            "WHERE e.case_id = :case"
        ),
        {"case": case_id},
    )
    for view_id, value in views:
        yield f"view {view_id}", value
    items = connection.execute(
        text(
            "SELECT s.id, s.sha256, s.pdq FROM scanned_items s WHERE s.id IN "
            "(SELECT item_id FROM review_items WHERE case_id = :case) AND s.id NOT IN "
            "(SELECT item_id FROM review_items WHERE case_id != :case)"
        ),
        {"case": case_id},
    )
    for item_id, sha256, pdq in items:
        for signal, value in (("sha256", sha256), ("pdq", pdq)):
            if value:
                yield f"found item {item_id} {signal}", value


# --- where it is searched --------------------------------------------------------------------


def home_files(home: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(home)): path.read_bytes() for path in sorted(home.rglob("*")) if path.is_file()
    }


def table_dump(env: dict[str, str]) -> str:
    """Every row of every table, as text."""
    with database(env) as engine:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return "\n".join(
                repr(tuple(row))
                for table in metadata.sorted_tables
                for row in connection.execute(select_rows(table))
            )


def assert_found(home: Path, env: dict[str, str], traces: Traces) -> None:
    files = b"\n".join(home_files(home).values())
    dump = table_dump(env)
    on_sqlite = "RECLAIM_DATABASE_URL" not in env
    for label, value in traces.texts.items():
        assert value in dump, label
        if on_sqlite:
            assert value.encode() in files, label
    for label, value in traces.sealed.items():
        assert value in files, label


def assert_gone_from_files(home: Path, traces: Traces) -> None:
    files = home_files(home)
    assert files  # the database, its journal files, the key, the other case's vault
    needles = {
        **{label: value.encode() for label, value in traces.texts.items()},
        **traces.never_stored,
        **traces.sealed,
    }
    for name, content in files.items():
        for label, needle in needles.items():
            assert needle not in content, f"{label} is still in {name}"
        assert PHONE.encode() not in content and NAME.encode() not in content


def assert_gone_from_tables(env: dict[str, str], traces: Traces, case_id: str) -> None:
    dump = table_dump(env)
    for label, value in traces.texts.items():
        assert value not in dump, label
    # Not even a row that names the case is left (bank names, notice references, log entries
    # carry its id), apart from the withdrawal's own audit event.
    assert dump.count(case_id) == 1


def assert_bundle_verifies(env: dict[str, str], case_id: str, bundle: Path) -> None:
    [exported] = lines(check(reclaim("evidence", "export", case_id, "-o", bundle, "--json", env=env)).stdout)
    verify = reclaim(
        "verify",
        bundle,
        "--bundle-key",
        str(exported["bundle_key"]),
        "--fingerprint",
        str(exported["key_fingerprint"]),
        "--json",
    )
    assert verify.returncode == 0, verify.stderr
    [verdict] = lines(verify.stdout)
    assert verdict["intact"] is True and verdict["captures_decrypted"] == 2


# --- the database and the audit trail --------------------------------------------------------


@contextlib.contextmanager
def database(env: dict[str, str]) -> Iterator[Engine]:
    home = Path(env["RECLAIM_HOME"])
    engine = create_database_engine(
        env.get("RECLAIM_DATABASE_URL") or f"sqlite:///{home / 'reclaim.sqlite3'}"
    )
    try:
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def idle_sqlite_reader(env: dict[str, str]) -> Iterator[None]:
    """A second connection to the SQLite database, open and idle (no transaction) meanwhile."""
    if "RECLAIM_DATABASE_URL" in env:
        yield
        return
    reader = sqlite3.connect(Path(env["RECLAIM_HOME"]) / "reclaim.sqlite3")
    try:
        reader.execute("SELECT count(*) FROM cases").fetchone()
        yield
    finally:
        reader.close()


def audit_event_ids(env: dict[str, str], case_id: str) -> list[int]:
    with database(env) as engine, engine.connect() as connection:
        query = text("SELECT id FROM audit_events WHERE case_id = :case ORDER BY id")
        return list(connection.execute(query, {"case": case_id}).scalars())


def all_audit_ids(env: dict[str, str]) -> list[int]:
    with database(env) as engine, engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM audit_events")).scalars())


def withdrawal_events(env: dict[str, str]) -> list[dict[str, Any]]:
    with database(env) as engine, engine.connect() as connection:
        rows = connection.execute(
            text("SELECT actor, case_id, detail FROM audit_events WHERE action = 'case.withdraw'")
        )
        events = []
        for actor, column, detail in rows:
            assert actor == "helpline-wang" and column is None
            events.append(json.loads(detail) if isinstance(detail, str) else detail)
        return events


# --- running the command ---------------------------------------------------------------------


def command_environment(env: dict[str, str]) -> dict[str, str]:
    environment = {**os.environ, "LANG": "C.UTF-8", **env}
    environment.pop("RECLAIM_LANG", None)
    return environment


def run_without_terminal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "reclaim", "--lang", "en", *args]
    return subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=command_environment(env),
        timeout=300,
        check=False,
    )


def run_on_terminal(env: dict[str, str], args: list[str], *, answer: bytes) -> tuple[int, str]:
    """Run reclaim on a pseudo-terminal, answer its question, and return its exit code and output."""
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "reclaim", "--lang", "en", *args]
    process = subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env=command_environment(env)
    )
    os.close(terminal)
    output, answered, deadline = b"", False, time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if not answered and b"[y/N]" in output:
                os.write(controller, answer)
                answered = True
        return process.wait(timeout=60), output.decode("utf-8", "replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
