"""What is wrong with one line of a hash list, said so a person can fix it.

A reader never stops at a bad line unless asked to: it hands each problem to an
``on_problem`` callback and goes on with the next line, so one typo in a list of ten
thousand hashes costs one hash, not the import. Without a callback the first problem is
raised as a ``UserInputError``, which suits a caller that wants all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from reclaim.errors import N_, UserInputError

# Longest excerpt of a bad value quoted back: enough to find it, not a wall of vPDQ JSON.
_EXCERPT: Final = 72

NOT_A_JSON_OBJECT: Final = N_("Line {line} is not a JSON object.")
MISSING_FIELD: Final = N_("Line {line} has no {field}.")
BAD_FIELD: Final = N_("Line {line}: {field} {value} is not usable.")
BAD_HASH: Final = N_("Line {line}: {value} is not a valid {signal_type} hash.")
UNKNOWN_SIGNAL_TYPE: Final = N_("Line {line}: Reclaim cannot use signal type {signal_type}.")
UNKNOWN_STATUS: Final = N_(
    "Line {line}: status {value} is unknown, so the hash was neither added nor removed."
)
MISSING_COLUMN: Final = N_("The header line has no {field} column.")
NOT_JSON: Final = N_("The file is not JSON: {reason}")
RECORD_MISSING_FIELD: Final = N_("Hash record {record} has no {field}.")
RECORD_BAD_FIELD: Final = N_("Hash record {record}: {field} {value} is not usable.")
RECORD_BAD_HASH: Final = N_("Hash record {record}: {value} is not a valid {signal_type} hash.")
RECORD_UNKNOWN_SIGNAL_TYPE: Final = N_("Hash record {record}: Reclaim cannot use signal type {signal_type}.")
RECORD_UNKNOWN_STATUS: Final = N_(
    "Hash record {record}: status {value} is unknown, so the hash was neither added nor removed."
)
FIX_THE_LINE: Final = N_("Fix or remove that line and import the file again.")


@dataclass(frozen=True, slots=True)
class FormatProblem:
    """One unusable line or record: where (1-based), an ``N_`` message id and its values.

    ``position`` is the line number for line-based files and the record number for JSON
    documents; the message says which. ``detail`` is the validator's English reason, for
    logs and ``--debug``; people read ``message`` translated and filled with ``params``.
    """

    position: int
    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    detail: str = ""

    def __str__(self) -> str:
        return self.message.format(**self.params)

    def as_error(self) -> UserInputError:
        return UserInputError(self.message, FIX_THE_LINE, **self.params)


ProblemHandler = Callable[[FormatProblem], None]


def report(problem: FormatProblem, on_problem: ProblemHandler | None) -> None:
    """Hand the problem to the caller, or raise it when the caller gave no handler."""
    if on_problem is None:
        raise problem.as_error()
    on_problem(problem)


def excerpt(value: object) -> str:
    """A value as it can be quoted in a message: its repr, cut when long."""
    text = repr(value)
    if len(text) <= _EXCERPT:
        return text
    closing_quote = text[0] if isinstance(value, str) else ""
    return text[: _EXCERPT - 2] + "…" + closing_quote
