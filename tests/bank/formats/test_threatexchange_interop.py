"""Our lists through the real python-threatexchange: it reads and validates ours, we read its own.

Skipped only when the ``threatexchange`` package is not installed (it is in the dev extra).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reclaim.bank.formats import (
    ExchangeRecord,
    read_threatexchange_dataset_csv,
    read_threatexchange_signals,
    write_hma_bank_requests,
    write_threatexchange_signals,
)
from reclaim.signals.digests import digests_of_bytes
from tests.shared_data import CONFORMANCE, VIDEOS

pytest.importorskip("threatexchange")

from threatexchange.exchanges.impl.file_api import (
    FileCollaborationConfig,
    LocalFileSignalExchangeAPI,
)
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.sha256 import VideoSHA256Signal
from threatexchange.signal_type.signal_base import SignalType

try:
    from threatexchange.extensions.vpdq.vpdq import VPDQSignal
except ImportError:  # its vPDQ extension needs the native vpdq package (the bench extra)
    VPDQ_TYPES: tuple[type[SignalType], ...] = ()
else:
    VPDQ_TYPES = (VPDQSignal,)

THEIR_TYPES = {cls.get_name(): cls for cls in (PdqSignal, VideoMD5Signal, VideoSHA256Signal, *VPDQ_TYPES)}


@pytest.fixture
def records(records: list[ExchangeRecord]) -> list[ExchangeRecord]:
    """The shared records, less vPDQ when this python-threatexchange cannot read it."""
    return [r for r in records if r.signal_type != "vpdq" or VPDQ_TYPES]


def export(records: list[ExchangeRecord], path: Path) -> set[tuple[str, str]]:
    with path.open("w", encoding="utf-8") as handle:
        write_threatexchange_signals(records, handle)
    return {(r.signal_type, r.value) for r in records if not r.is_withdrawn}


def local_file_exchange(path: Path, signal_type: str | None = None) -> LocalFileSignalExchangeAPI:
    config = FileCollaborationConfig(
        name="reclaim", api="local_file", filename=str(path), signal_type=signal_type
    )
    return LocalFileSignalExchangeAPI(config)


def test_threatexchange_signal_types_accept_every_value_we_export(
    records: list[ExchangeRecord], tmp_path: Path
) -> None:
    path = tmp_path / "signals.txt"
    export(records, path)
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, signal = line.partition(" ")
        assert THEIR_TYPES[name].validate_signal_str(signal) == signal


def test_threatexchange_local_file_exchange_reads_our_export(
    records: list[ExchangeRecord], tmp_path: Path
) -> None:
    path = tmp_path / "signals.txt"
    expected = export(records, path)
    (delta,) = local_file_exchange(path).fetch_iter(list(THEIR_TYPES.values()), None)
    ours = {(r.signal_type, r.value) for r in read_threatexchange_signals(path)}
    assert {(name, signal) for name, signal in delta.updates} == {
        (name, signal) for name, signal in (line.split(" ", 1) for line in path.read_text().splitlines())
    }
    assert len(delta.updates) == len(expected) and ours == expected


def threatexchange_cli(state: Path) -> Callable[..., str]:
    """Run the real `threatexchange` command with its state (and any credentials) under ``state``."""
    env = {**os.environ, "HOME": str(state), "TX_STATEDIR": str(state / "state")}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "threatexchange", *args],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    if VPDQ_TYPES:
        run("config", "extensions", "add", "threatexchange.extensions.vpdq.manifest")
    return run


@pytest.mark.slow
def test_round_trip_through_the_threatexchange_cli(records: list[ExchangeRecord], tmp_path: Path) -> None:
    """Our export -> `threatexchange fetch` (local_file) -> `dataset -P [--csv]` -> our readers."""
    path = tmp_path / "signals.txt"
    expected = export(records, path)
    threatexchange = threatexchange_cli(tmp_path)
    threatexchange("config", "collab", "edit", "local_file", "--create", "--filename", str(path), "reclaim")
    threatexchange("fetch")
    dataset = tmp_path / "dataset.csv"
    dataset.write_text(threatexchange("dataset", "--print-signals", "--csv"), encoding="utf-8")
    assert {(r.signal_type, r.value) for r in read_threatexchange_dataset_csv(dataset)} == expected
    # Without --csv, and with more than one signal type, it prints signal lines.
    lines = io.StringIO(threatexchange("dataset", "--print-signals", "--print-signals-only"))
    assert {(r.signal_type, r.value) for r in read_threatexchange_signals(lines)} == expected


@pytest.mark.slow
def test_we_read_what_threatexchange_hash_prints(tmp_path: Path) -> None:
    photo, video = CONFORMANCE / "pdq/dih/bridge-1-original.jpg", sorted(VIDEOS.glob("*.mp4"))[0]
    threatexchange = threatexchange_cli(tmp_path)
    printed = threatexchange("hash", "photo", str(photo)) + threatexchange("hash", "video", str(video))
    read = {r.signal_type: r for r in read_threatexchange_signals(io.StringIO(printed))}
    assert set(read) == {"pdq", "md5", "sha256"} | ({"vpdq"} if VPDQ_TYPES else set())
    digests = digests_of_bytes(video.read_bytes())
    assert (read["md5"].value, read["sha256"].value) == (digests.md5, digests.sha256)
    assert read["pdq"].value == printed.split()[1]
    assert not VPDQ_TYPES or read["vpdq"].frames


def test_hma_bank_bodies_pass_the_validation_hma_runs(records: list[ExchangeRecord]) -> None:
    """HMA's _bank_add_signals looks each name up and calls its validate_signal_str."""
    out = io.StringIO()
    write_hma_bank_requests(records, out, signal_types=("pdq", "md5", "sha256", "vpdq"))
    for line in out.getvalue().splitlines():
        ((name, value),) = json.loads(line).items()
        assert THEIR_TYPES[name].validate_signal_str(value) == value
