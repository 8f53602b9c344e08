"""``reclaim demo``: see Reclaim work on public sample photos, without touching your own home."""

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer

from reclaim.cli.output import emit_json, error_line
from reclaim.config import load_settings
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "demo",
        help=_("Run Reclaim on bundled public sample photos in a demo home of its own (SQLite, no server)."),
    )
    def demo_command(
        home: Optional[Path] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--home", help=_("Where to create the demo home (default: a new temporary folder).")
        ),
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.services.demo import run_demo

        demo_home = home or Path(tempfile.mkdtemp(prefix="reclaim-demo-"))
        base = load_settings({"RECLAIM_HOME": str(demo_home)})
        settings = replace(base, limits=load_settings().limits)
        report = run_demo(settings, demo_home / "samples")
        for failure in report.failures:
            typer.echo(error_line(translate, failure.error), err=True)
        if json_output:
            for result in report.results:
                emit_json(result.to_json())
            for pair in report.near_duplicates:
                emit_json({"near_duplicate": [str(pair.first), str(pair.second)], "distance": pair.distance})
            return
        typer.echo(translate.format("Demo home: {home}", home=report.home))
        for result in report.results:
            quality = result.pdq.quality if result.pdq else 0
            pdq = result.pdq.hex if result.pdq else "-"
            typer.echo(
                f"  {result.path.name:24} pdq {pdq}  "
                + translate.format("quality {quality}", quality=quality)
            )
        if not report.near_duplicates:
            typer.echo(translate("No two photos are the same picture."))
        for pair in report.near_duplicates:
            typer.echo(
                translate.format(
                    "{second} is a re-shared copy of {first} (PDQ distance {distance} of 256 bits).",
                    first=pair.first.name,
                    second=pair.second.name,
                    distance=pair.distance,
                )
            )
        typer.echo(translate("Only the hashes above were computed; the photos stayed where they are."))
