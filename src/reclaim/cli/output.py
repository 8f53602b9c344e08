"""How the CLI talks: JSON lines on stdout for scripts, rich text for people, errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reclaim.errors import ReclaimError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.bank.formats import FormatProblem


def emit_json(record: dict[str, Any]) -> None:
    """One JSON object per line; non-ASCII kept readable (Chinese titles, paths)."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def error_line(translate: Translator, error: ReclaimError) -> str:
    message = translate.format(error.message, **error.params)
    return translate.format("error: {message}", message=message)


def print_error(translate: Translator, error: ReclaimError) -> None:
    """One line for the problem, one for what to do: no traceback unless --debug."""
    sys.stderr.write(error_line(translate, error) + "\n")
    if error.hint:
        sys.stderr.write(translate.format("hint: {hint}", hint=hint_text(translate, error)) + "\n")


def hint_text(translate: Translator, error: ReclaimError) -> str:
    """The hint in the reader's language, with the error's values filled in where it names them."""
    hint = translate(error.hint or "")
    try:
        return hint.format(**error.params)
    except (KeyError, IndexError, ValueError):
        return hint  # a hint with literal braces, or naming a value this error does not carry


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def warn_about_lines(translate: Translator, problems: Iterable[FormatProblem]) -> None:
    """One warning on stderr per line of a hash list that could not be read."""
    for problem in problems:
        message = translate.format(problem.message, **problem.params)
        sys.stderr.write(translate.format("warning: {problem}", problem=message) + "\n")
