"""Hash lists built from the shared conformance data: reference PDQ hashes and real file digests."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from reclaim.bank.formats import ExchangeRecord
from reclaim.signals.digests import digests_of_bytes
from reclaim.signals.pdq import PdqHash
from reclaim.signals.vpdq import VpdqFrame, to_signal_string
from tests.shared_data import CONFORMANCE


def reference_pdq() -> list[tuple[str, str, int]]:
    """(path, hash, quality) of the reference PDQ vectors."""
    with (CONFORMANCE / "expected_pdq.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Some rows give a hash without a quality; the reference prints a quality for every hash.
    return [(r["path"], r["expected_pdq"], int(r["expected_quality"])) for r in rows if r["expected_quality"]]


@pytest.fixture(scope="session")
def records() -> list[ExchangeRecord]:
    """One of each signal type and each kind of provenance, one of them withdrawn."""
    vectors = reference_pdq()
    (path, pdq, quality), (_, other_pdq, _) = vectors[0], vectors[1]
    digests = digests_of_bytes((CONFORMANCE / path).read_bytes())
    frames = [
        VpdqFrame(i, float(i), PdqHash.from_hex(hex_value, q))
        for i, (_, hex_value, q) in enumerate(vectors[:5])
    ]
    when = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    return [
        ExchangeRecord(
            signal_type="pdq",
            value=pdq,
            quality=quality,
            external_id="0f8e6a52-1c1b-4d5e-9a57-3f6f1b2c9d10",
            submitted_at=when,
            attestation="self",
            source="own-file",
        ),
        ExchangeRecord(
            signal_type="pdq", value=other_pdq, status="withdrawn", external_id="e-2", source="found-copy"
        ),
        ExchangeRecord(signal_type="md5", value=digests.md5, attestation="on-behalf", source="own-file"),
        ExchangeRecord(signal_type="sha256", value=digests.sha256, updated_at=when),
        ExchangeRecord(signal_type="vpdq", value=to_signal_string(frames), attestation="list"),
    ]
