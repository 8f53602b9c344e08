"""Bodies for HMA's "add signals to a bank" call, one JSON object per line.

Hasher-Matcher-Actioner (OpenMediaMatch) has no bank file import or export. A bank is
filled through its exchanges (python-threatexchange SignalExchangeAPIs, see
``threatexchange.py`` for the local_file one) or through ``POST /c/bank/<bank>/signal``
(``hasher-matcher-actioner/src/OpenMediaMatch/blueprints/curation.py`` bank_add_as_signals
and _bank_add_signals), whose JSON body maps python-threatexchange signal type names to
values for one piece of content, plus an optional ``note``:
``{"pdq": "f8f8…9b22", "note": "…"}``. A file of such bodies, one a line, can be posted
with ``curl`` or read back here. We never write a note and never read one: a note is free
text and may name the person. HMA refuses a body whose signal type it has not enabled; its
reference configs enable ``pdq`` and ``video_md5`` (and ``vpdq`` with the extension), so
those are the default here. There is no status: withdrawn entries are left out; remove
them from HMA with ``DELETE /c/bank/<bank>/content/<id>``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from typing import Final, TextIO

from reclaim.bank.formats._common import TextSource, json_object_line, open_text, problem_from_error
from reclaim.bank.formats.problems import FormatProblem, ProblemHandler, report
from reclaim.bank.formats.records import ExchangeRecord, RecordError, SignalName
from reclaim.bank.formats.threatexchange import FROM_THREATEXCHANGE, TO_THREATEXCHANGE

HMA_DEFAULT_SIGNAL_TYPES: Final[tuple[SignalName, ...]] = ("pdq", "md5", "vpdq")
_NOTE: Final = "note"


def write_hma_bank_requests(
    records: Iterable[ExchangeRecord],
    stream: TextIO,
    *,
    signal_types: Collection[SignalName] = HMA_DEFAULT_SIGNAL_TYPES,
) -> int:
    """One request body per active record of an enabled signal type; returns how many were written."""
    count = 0
    for record in records:
        if record.is_withdrawn or record.signal_type not in signal_types:
            continue
        stream.write(json.dumps({TO_THREATEXCHANGE[record.signal_type]: record.value}) + "\n")
        count += 1
    return count


def read_hma_bank_requests(
    source: TextSource, on_problem: ProblemHandler | None = None
) -> Iterator[ExchangeRecord]:
    """Yield one record per signal in each body; a body's ``note`` is dropped unread."""
    with open_text(source) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            body = json_object_line(line, number)
            if isinstance(body, FormatProblem):
                report(body, on_problem)
                continue
            for name, signal in body.items():
                if name == _NOTE:
                    continue
                try:
                    ours = FROM_THREATEXCHANGE.get(str(name).strip().lower())
                    if ours is None:
                        raise RecordError("signal_type", name, "is not a signal type Reclaim uses")
                    if not isinstance(signal, str):
                        raise RecordError("value", signal, "is not text", ours)
                    yield ExchangeRecord(signal_type=ours, value=signal, source="import", attestation="list")
                except RecordError as invalid:
                    report(problem_from_error(invalid, number, "line"), on_problem)
