"""The hash lists python-threatexchange reads and writes (and HMA, which is built on it).

Signal type names are python-threatexchange's ``SignalType.get_name()``, the class name in
snake case less "Signal" (``signal_type/signal_base.py``): ``pdq`` (``signal_type/pdq/signal.py``
PdqSignal), ``video_md5`` (``signal_type/md5.py`` VideoMD5Signal), ``video_sha256``
(``signal_type/sha256.py`` VideoSHA256Signal) and ``vpdq`` (``extensions/vpdq/vpdq.py``
VPDQSignal). Its only MD5 and SHA-256 types are the video ones, so an image digest from us
arrives there as a video digest: HMA then checks it against videos only.

Two layouts:

* **Signal lines**, what ``exchanges/impl/file_api.py`` LocalFileSignalExchangeAPI.fetch_iter
  reads (the ``local_file`` exchange, which HMA can also be configured with) and its
  ``report_opinion`` appends: ``<signal type> <signal>`` per line, split at the first space,
  or the bare signal when the collaboration names one ``signal_type`` for the whole file.
  There is no status: a line present is a hash to match, so withdrawn entries are left out.
* **Dataset CSV**, what ``threatexchange dataset --print-signals --csv`` writes
  (``cli/dataset_cmd.py`` DatasetCommand.execute_print_signals and _print_csv): the header
  ``signal_type,signal_str,collab,category,tags``. Read only: python-threatexchange never
  reads it back. ``collab`` and ``tags`` are free text and are dropped; a NEGATIVE_CLASS row
  (the collaboration judged the content benign) is read as withdrawn, so it is not matched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, TextIO

from reclaim.bank.formats import problems
from reclaim.bank.formats._common import TextSource, missing_field, open_text, problem_from_error
from reclaim.bank.formats.problems import FormatProblem, ProblemHandler, report
from reclaim.bank.formats.records import ExchangeRecord, RecordError, SignalName

TO_THREATEXCHANGE: Final[Mapping[SignalName, str]] = {
    "pdq": "pdq",
    "md5": "video_md5",
    "sha256": "video_sha256",
    "vpdq": "vpdq",
}
# Our own names are accepted too: hand-made lists use them.
FROM_THREATEXCHANGE: Final[Mapping[str, SignalName]] = {
    **{name: ours for ours, name in TO_THREATEXCHANGE.items()},
    **{ours: ours for ours in TO_THREATEXCHANGE},
}
DATASET_COLUMNS: Final = ("signal_type", "signal_str", "collab", "category", "tags")
_NEGATIVE: Final = "NEGATIVE_CLASS"


def read_threatexchange_signals(
    source: TextSource,
    on_problem: ProblemHandler | None = None,
    *,
    signal_type: str | None = None,
) -> Iterator[ExchangeRecord]:
    """Yield the hashes of a ``<signal type> <signal>`` file, as the local_file exchange reads it.

    ``signal_type`` plays the collaboration's ``signal_type`` setting: every line is then
    the bare signal. Blank lines are skipped, as python-threatexchange skips them.
    """
    with open_text(source) as lines:
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            type_name, signal = (signal_type, text) if signal_type else text.partition(" ")[::2]
            if not signal.strip():
                report(missing_field("signal", number, "line"), on_problem)
                continue
            record = _record(type_name, signal, number, on_problem, status="active")
            if record is not None:
                yield record


def write_threatexchange_signals(records: Iterable[ExchangeRecord], stream: TextIO) -> int:
    """Write active records as ``<signal type> <signal>`` lines; returns how many were written."""
    count = 0
    for record in records:
        if record.is_withdrawn:
            continue
        stream.write(f"{TO_THREATEXCHANGE[record.signal_type]} {record.value}\n")
        count += 1
    return count


def read_threatexchange_dataset_csv(
    source: TextSource, on_problem: ProblemHandler | None = None
) -> Iterator[ExchangeRecord]:
    """Yield the hashes of ``threatexchange dataset -P --csv`` output (one row per collaboration)."""
    with open_text(source, newline="") as handle:
        rows = csv.DictReader(handle)
        header = [name.strip() for name in rows.fieldnames or []]
        for name in ("signal_type", "signal_str"):
            if name not in header:
                report(FormatProblem(1, problems.MISSING_COLUMN, {"field": name}), on_problem)
                return
        rows.fieldnames = header
        for row in rows:
            type_name, signal = (row.get("signal_type") or "").strip(), (row.get("signal_str") or "").strip()
            if not (type_name or signal):
                continue
            if not signal:
                report(missing_field("signal_str", rows.line_num, "line"), on_problem)
                continue
            negative = (row.get("category") or "").strip().upper() == _NEGATIVE
            record = _record(
                type_name, signal, rows.line_num, on_problem, status="withdrawn" if negative else "active"
            )
            if record is not None:
                yield record


def _record(
    type_name: str, signal: str, number: int, on_problem: ProblemHandler | None, *, status: str
) -> ExchangeRecord | None:
    ours = FROM_THREATEXCHANGE.get(type_name.strip().lower())
    try:
        if ours is None:
            raise RecordError("signal_type", type_name, "is not a signal type Reclaim uses")
        return ExchangeRecord(
            signal_type=ours,
            value=signal.strip(),
            status=status,  # type: ignore[arg-type]  # one of two literals above
            source="import",
            attestation="list",
        )
    except RecordError as invalid:
        report(problem_from_error(invalid, number, "line"), on_problem)
        return None
