"""Hash-list import and export: Reclaim's own JSON lines and CSV, python-threatexchange and HMA
lists, and StopNCII feeds, all read into and written from ``ExchangeRecord``.

Readers take a path or a text stream and an optional ``on_problem`` callback; each bad line
becomes a ``FormatProblem`` (position, message, values) and the good lines are still read.
Writers take records and a text stream and return how many records they wrote.
"""

from reclaim.bank.format_names import HashListFormat
from reclaim.bank.formats.csv_format import read_csv, write_csv
from reclaim.bank.formats.detect import detect_format, read_hash_list, sniff_format
from reclaim.bank.formats.hma import read_hma_bank_requests, write_hma_bank_requests
from reclaim.bank.formats.jsonl import read_jsonl, write_jsonl
from reclaim.bank.formats.problems import FormatProblem, ProblemHandler
from reclaim.bank.formats.records import (
    ATTESTATION_KINDS,
    SIGNAL_NAMES,
    SOURCE_KINDS,
    STATUSES,
    AttestationKind,
    ExchangeRecord,
    RecordError,
    SignalName,
    SourceKind,
    Status,
)
from reclaim.bank.formats.stopncii import read_stopncii, write_stopncii
from reclaim.bank.formats.threatexchange import (
    read_threatexchange_dataset_csv,
    read_threatexchange_signals,
    write_threatexchange_signals,
)

__all__ = [
    "ATTESTATION_KINDS",
    "SIGNAL_NAMES",
    "SOURCE_KINDS",
    "STATUSES",
    "AttestationKind",
    "ExchangeRecord",
    "FormatProblem",
    "HashListFormat",
    "ProblemHandler",
    "RecordError",
    "SignalName",
    "SourceKind",
    "Status",
    "detect_format",
    "read_csv",
    "read_hash_list",
    "read_hma_bank_requests",
    "read_jsonl",
    "read_stopncii",
    "read_threatexchange_dataset_csv",
    "read_threatexchange_signals",
    "sniff_format",
    "write_csv",
    "write_hma_bank_requests",
    "write_jsonl",
    "write_stopncii",
    "write_threatexchange_signals",
]
