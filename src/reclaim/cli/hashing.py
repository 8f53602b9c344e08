"""``reclaim hash PATH...``: what Reclaim would keep of each photo or video, computed here."""

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reclaim.cli.output import emit_json, error_line, stderr_is_terminal
from reclaim.config import load_settings
from reclaim.errors import N_, ReclaimError, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.services.hashing import HashResult


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "hash",
        help=_(
            "Hash photos and videos (files or folders) on this computer: SHA-256, MD5, PDQ for "
            "photos and vPDQ for videos. Nothing is uploaded or stored."
        ),
    )
    def hash_command(
        paths: list[Path] = typer.Argument(
            ...,
            metavar="PATH...",
            show_default=False,
            help=_("Photos, videos or folders (searched recursively)."),
        ),
        json_output: bool = typer.Option(
            False, "--json", help=_("Print one JSON object per file and nothing else.")
        ),
        workers: int = typer.Option(
            0, "--workers", min=0, help=_("Processes to use; 0 uses every CPU core.")
        ),
    ) -> None:
        hash_paths(translate, paths, json_output=json_output, workers=workers or None)


def hash_paths(translate: Translator, paths: list[Path], *, json_output: bool, workers: int | None) -> None:
    from reclaim.services.hashing import HashFailure, find_media_files, hash_files

    settings = load_settings()
    found = find_media_files(paths)
    if not found.files:
        raise UserInputError(
            N_("No photos or videos found in {paths}."), paths=", ".join(str(p) for p in paths)
        )
    hashed = failed = 0
    last_error: ReclaimError | None = None
    with _progress(
        translate, len(found.files), show=stderr_is_terminal() and len(found.files) > 1
    ) as advance:
        for outcome in hash_files(found.files, settings.limits, workers=workers):
            advance()
            if isinstance(outcome, HashFailure):
                failed += 1
                typer.echo(error_line(translate, outcome.error), err=True)
                last_error = outcome.error
                continue
            hashed += 1
            if json_output:
                emit_json(outcome.to_json())
            else:
                _print_result(translate, outcome)
    if found.skipped:
        typer.echo(
            translate.plural(
                "Skipped {count} file that is not a photo or a video.",
                "Skipped {count} files that are not photos or videos.",
                found.skipped,
            ),
            err=True,
        )
    if failed and hashed:
        typer.echo(
            translate.format("Hashed {hashed}, could not hash {failed}.", hashed=hashed, failed=failed),
            err=True,
        )
    if hashed == 0 and last_error is not None:
        # Each failure was printed as it happened; say what to do once, and fail.
        typer.echo(translate.format("hint: {hint}", hint=translate(last_error.hint)), err=True)
        raise typer.Exit(last_error.exit_code)


def _print_result(translate: Translator, result: "HashResult") -> None:
    typer.echo(f"{result.path}")
    typer.echo(f"  sha256  {result.sha256}")
    typer.echo(f"  md5     {result.md5}")
    if result.pdq is not None:
        typer.echo(
            f"  pdq     {result.pdq.hex}  "
            + translate.format("quality {quality}", quality=result.pdq.quality)
        )
        if result.pdq.is_low_quality:
            typer.echo("  " + translate("Low quality: this picture is too plain or small to match reliably."))
    if result.vpdq is not None:
        typer.echo(
            "  vpdq    " + translate.plural("{count} frame hash", "{count} frame hashes", len(result.vpdq))
        )


@contextlib.contextmanager
def _progress(translate: Translator, total: int, *, show: bool) -> Iterator[Callable[[], None]]:
    if not show:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(translate("Hashing")),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("hash", total=total)
        yield lambda: progress.advance(task)
