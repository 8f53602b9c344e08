"""A progress bar on stderr for long work, shown only on a terminal and for more than one item."""

import contextlib
from collections.abc import Callable, Iterator

from reclaim.cli.output import stderr_is_terminal
from reclaim.locale import Translator


@contextlib.contextmanager
def progress_bar(translate: Translator, label: str, total: int) -> Iterator[Callable[[], None]]:
    """Yield a function to call once per item done; a no-op where no bar is shown."""
    if not (stderr_is_terminal() and total > 1):
        yield lambda: None
        return
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
        task = progress.add_task("work", total=total)
        yield lambda: progress.advance(task)
