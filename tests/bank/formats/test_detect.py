"""Every format is told apart from the others by its first lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

import pytest

from reclaim.bank.formats import (
    ExchangeRecord,
    HashListFormat,
    detect_format,
    read_hash_list,
    write_csv,
    write_hma_bank_requests,
    write_jsonl,
    write_stopncii,
    write_threatexchange_signals,
)
from reclaim.errors import UserInputError

Writer = Callable[[Iterable[ExchangeRecord], TextIO], int]
WRITERS: list[tuple[Writer, HashListFormat]] = [
    (write_jsonl, HashListFormat.RECLAIM_JSONL),
    (write_csv, HashListFormat.RECLAIM_CSV),
    (write_threatexchange_signals, HashListFormat.THREATEXCHANGE_SIGNALS),
    (write_hma_bank_requests, HashListFormat.HMA_BANK_REQUESTS),
    (write_stopncii, HashListFormat.STOPNCII_JSON),
]


@pytest.mark.parametrize(("write", "expected"), WRITERS)
def test_each_export_is_detected_and_read_back(
    write: Writer, expected: HashListFormat, records: list[ExchangeRecord], tmp_path: Path
) -> None:
    path = tmp_path / "list"
    with path.open("w", encoding="utf-8", newline="") as handle:
        written = write(records, handle)
    assert detect_format(path) is expected
    assert len(list(read_hash_list(path))) == written


def test_threatexchange_dataset_csv_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "dataset.csv"
    path.write_text("signal_type,signal_str,collab,category,tags\n", encoding="utf-8")
    assert detect_format(path) is HashListFormat.THREATEXCHANGE_DATASET_CSV


@pytest.mark.parametrize("text", ["", "hello world\n", '{"a": 1}\n', "name,phone\n"])
def test_anything_else_is_a_user_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserInputError) as refused:
        detect_format(path)
    assert refused.value.params == {"path": str(path)}


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError):
        detect_format(tmp_path / "absent.jsonl")
