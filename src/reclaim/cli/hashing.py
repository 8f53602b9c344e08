"""``reclaim hash PATH...``: what Reclaim would keep of each photo or video, computed here."""

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reclaim.cli.media_input import FailureTally, media_files
from reclaim.cli.output import emit_json
from reclaim.cli.progress import progress_bar
from reclaim.config import load_settings
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
    from reclaim.services.hashing import HashFailure, hash_files

    settings = load_settings()
    files = media_files(translate, paths)
    failures = FailureTally(translate)
    hashed = 0
    with progress_bar(translate, translate("Hashing"), len(files)) as advance:
        for outcome in hash_files(files, settings.limits, workers=workers):
            advance()
            if isinstance(outcome, HashFailure):
                failures.record(outcome.error)
                continue
            hashed += 1
            if json_output:
                emit_json(outcome.to_json())
            else:
                _print_result(translate, outcome)
    if failures.count and hashed:
        typer.echo(
            translate.format(
                "Hashed {hashed}, could not hash {failed}.", hashed=hashed, failed=failures.count
            ),
            err=True,
        )
    failures.finish(hashed)


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
