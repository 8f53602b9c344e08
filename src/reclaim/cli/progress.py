"""Progress bars on stderr for long work, shown only on a terminal."""

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from reclaim.cli.output import stderr_is_terminal
from reclaim.locale import Translator

if TYPE_CHECKING:
    from rich.progress import Progress


@contextlib.contextmanager
def progress_bar(translate: Translator, label: str, total: int) -> Iterator[Callable[[], None]]:
    """Yield a function to call once per item done; a no-op where no bar is shown (one item, or
    no terminal)."""
    if not (stderr_is_terminal() and total > 1):
        yield lambda: None
        return
    with _rich_bar(label) as progress:
        task = progress.add_task("work", total=total)
        yield lambda: progress.advance(task)


@contextlib.contextmanager
def progress_meter(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a function that sets the bar to (done, total), for work that counts for itself (a
    Spark job's tasks, whose total is known only once the job is planned; 0 means not yet)."""
    if not stderr_is_terminal():
        yield lambda done, total: None
        return
    with _rich_bar(label) as progress:
        task = progress.add_task("work", total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total or None)


@contextlib.contextmanager
def _rich_bar(label: str) -> "Iterator[Progress]":
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield progress
