"""The one per-partition function of a bulk job, which Spark and the local engine both run.

Each call gets an iterator of pandas batches (``id`` plus ``path`` or ``content``, or stored
hashes) and yields batches of output rows. The bank is searched through a ``BankSnapshot``
built once per Python worker process and kept for the rest of the job: building it costs
about as much as hashing thousands of photos, and a Spark worker runs many tasks in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from reclaim.config import MediaLimits
from reclaim.distributed.columns import CONTENT, ID, PATH
from reclaim.distributed.records import (
    NO_HASHES,
    NO_MATCH,
    StoredPhotos,
    hash_record,
    match_records,
    signals_of_record,
)
from reclaim.errors import N_, ReclaimError

if TYPE_CHECKING:
    from reclaim.bank.snapshot import BankHit, BankSnapshot, SignalTable
    from reclaim.locale import Translator
    from reclaim.signals.query_signals import QuerySignals

# Snapshots this worker built, by bank key (a Spark broadcast's id): one per job, not per task.
# A worker process is reused for a job's tasks, so this is the only place they can be kept.
_SNAPSHOTS: Final[dict[str, BankSnapshot]] = {}
_KEPT_SNAPSHOTS: Final = 2  # a long-lived worker may see a second job; never hold more
_INTEGERS: Final = {"pdq_quality": "Int32", "match_entry": "Int64", "distance": "Int32"}


@dataclass(frozen=True)
class BankSource:
    """Where a worker gets the bank: ``load`` runs once per worker for each ``key``."""

    key: str
    load: Callable[[], SignalTable] = field(compare=False)
    allow_low_quality: bool = False


@dataclass(frozen=True)
class JobOptions:
    limits: MediaLimits = field(default_factory=MediaLimits)
    lang: str = "en"  # the language of the error column
    hash_only: bool = False


def scan_partition(
    batches: Iterator[pd.DataFrame], bank: BankSource | None, options: JobOptions
) -> Iterator[pd.DataFrame]:
    """Hash each row's media and, unless ``options.hash_only``, match it: one frame out per frame in."""
    translate = _translator(options.lang)
    for batch in batches:
        rows: list[dict[str, Any]] = []
        paths = batch.get(PATH)
        contents = batch.get(CONTENT)
        for position, media_id in enumerate(batch[ID]):
            path = _cell(paths, position)
            content = _cell(contents, position)
            label = str(path or media_id)
            try:
                signals = _signals(path, content, label, options.limits)
            except Exception as error:  # one bad file among millions must not fail the job
                rows.append(_error_row(media_id, options, _describe(translate, error, label)))
                continue
            rows += _rows(media_id, signals, hash_record(signals), bank, options)
        yield _frame(rows, options.hash_only)


def match_partition(
    batches: Iterator[pd.DataFrame], bank: BankSource, options: JobOptions
) -> Iterator[pd.DataFrame]:
    """Match stored hash rows (a `--hash-only` output) without the media; error rows pass through.

    A batch's photos are searched together (``StoredPhotos``), videos one by one."""
    translate = _translator(options.lang)
    for batch in batches:
        snapshot = snapshot_of(bank)
        rows_of: list[list[dict[str, Any]]] = []  # per input row, its output rows
        photos, photo_rows = StoredPhotos(), []
        for record in batch.to_dict("records"):
            media_id = record.get(ID)
            error = record.get("error")
            if isinstance(error, str) and error:
                rows_of.append([_error_row(media_id, options, error)])
                continue
            hashes = {name: record.get(name) for name in NO_HASHES}
            try:
                if record.get("kind") == "video":
                    hits = snapshot.match(signals_of_record(record))
                    rows_of.append(_match_rows(media_id, hashes, hits))
                else:
                    photos.add(record)
                    photo_rows.append((len(rows_of), media_id, hashes))
                    rows_of.append([])
            except (ValueError, KeyError, TypeError) as problem:  # a malformed row from elsewhere
                message = translate.format(
                    N_("{path} has a malformed hash ({reason})."), path=str(media_id), reason=str(problem)
                )
                rows_of.append([_error_row(media_id, options, message)])
        if len(photos):
            found = snapshot.match_photos(photos.digests, photos.view_batch())
            for (position, media_id, hashes), hits in zip(photo_rows, found, strict=True):
                rows_of[position] = _match_rows(media_id, hashes, hits)
        yield _frame([row for rows in rows_of for row in rows], hash_only=False)


def _signals(path: Any, content: Any, label: str, limits: MediaLimits) -> QuerySignals:
    from reclaim.distributed.media_source import signals_of_media

    return signals_of_media(path, content, label, limits)


def _rows(
    media_id: Any, signals: QuerySignals, hashes: dict[str, Any], bank: BankSource | None, options: JobOptions
) -> list[dict[str, Any]]:
    if options.hash_only or bank is None:
        return [{ID: media_id, **hashes, "error": None}]
    return _match_rows(media_id, hashes, snapshot_of(bank).match(signals))


def _match_rows(media_id: Any, hashes: dict[str, Any], hits: list[BankHit]) -> list[dict[str, Any]]:
    """One row per matched entry, or one row of nulls: the file's own hashes on each."""
    own = {name: hashes[name] for name in NO_HASHES}
    matches = match_records(hits) or [dict(NO_MATCH)]
    return [{ID: media_id, **own, **match, "error": None} for match in matches]


def snapshot_of(bank: BankSource) -> BankSnapshot:
    """This worker's snapshot of the bank, built on first use."""
    from reclaim.bank.snapshot import BankSnapshot

    snapshot = _SNAPSHOTS.get(bank.key)
    if snapshot is None:
        while len(_SNAPSHOTS) >= _KEPT_SNAPSHOTS:
            del _SNAPSHOTS[next(iter(_SNAPSHOTS))]
        snapshot = BankSnapshot(bank.load(), allow_low_quality=bank.allow_low_quality)
        _SNAPSHOTS[bank.key] = snapshot
    return snapshot


def _error_row(media_id: Any, options: JobOptions, message: str) -> dict[str, Any]:
    empty = {} if options.hash_only else dict(NO_MATCH)
    return {
        ID: media_id,
        **NO_HASHES,
        **({"views": None} if options.hash_only else {}),
        **empty,
        "error": message,
    }


def _frame(rows: list[dict[str, Any]], hash_only: bool) -> pd.DataFrame:
    from reclaim.distributed.columns import HASH_FIELDS, MATCH_FIELDS, VIEWS_FIELD

    names = [ID, *(f.name for f in HASH_FIELDS)]
    names += [VIEWS_FIELD.name] if hash_only else [f.name for f in MATCH_FIELDS]
    frame = pd.DataFrame(rows, columns=[*names, "error"])
    # Nullable integers: a column of ints with a missing one would otherwise become floats.
    for name, dtype in _INTEGERS.items():
        if name in frame:
            frame[name] = frame[name].astype(dtype)
    return frame


def _describe(translate: Translator, error: Exception, label: str) -> str:
    if isinstance(error, ReclaimError):
        return translate.format(error.message, **error.params)
    return translate.format(
        N_("{path} could not be hashed ({reason})."), path=label, reason=f"{type(error).__name__}: {error}"
    )


def _cell(column: pd.Series[Any] | None, position: int) -> Any:
    if column is None:
        return None
    value = column.iloc[position]
    return None if value is None or (isinstance(value, float) and value != value) else value  # noqa: PLR0124


def _translator(lang: str) -> Translator:
    from reclaim.locale import load_translator

    return load_translator(lang)
