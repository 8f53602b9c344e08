"""Files given on the command line: find the media in them, and report the ones that fail."""

from pathlib import Path

import typer

from reclaim.cli.output import error_line
from reclaim.errors import N_, ReclaimError, UserInputError
from reclaim.locale import Translator


def media_files(translate: Translator, paths: list[Path]) -> tuple[Path, ...]:
    """The photos and videos in ``paths`` (folders searched); says how many others were skipped."""
    from reclaim.services.hashing import find_media_files

    found = find_media_files(paths)
    if not found.files:
        raise UserInputError(
            N_("No photos or videos found in {paths}."), paths=", ".join(str(p) for p in paths)
        )
    if found.skipped:
        typer.echo(
            translate.plural(
                "Skipped {count} file that is not a photo or a video.",
                "Skipped {count} files that are not photos or videos.",
                found.skipped,
            ),
            err=True,
        )
    return found.files


class FailureTally:
    """Print each file's failure as one line; fail the command when nothing at all succeeded."""

    def __init__(self, translate: Translator) -> None:
        self._translate = translate
        self.count = 0
        self._last: ReclaimError | None = None

    def record(self, error: ReclaimError) -> None:
        self.count += 1
        self._last = error
        typer.echo(error_line(self._translate, error), err=True)

    def finish(self, succeeded: int) -> None:
        """Exit with the last error's code when every file failed, after one hint."""
        if succeeded == 0 and self._last is not None:
            typer.echo(
                self._translate.format("hint: {hint}", hint=self._translate(self._last.hint)), err=True
            )
            raise typer.Exit(self._last.exit_code)
