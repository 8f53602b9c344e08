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
        from reclaim.services.demo import DEMO_CASE_TITLE, run_demo

        demo_home = home or Path(tempfile.mkdtemp(prefix="reclaim-demo-"))
        base = load_settings({"RECLAIM_HOME": str(demo_home)})
        settings = replace(base, limits=load_settings().limits)
        report = run_demo(settings, demo_home / "samples")
        for failure in report.failures:
            typer.echo(error_line(translate, failure.error), err=True)
        if json_output:
            for item in report.protected:
                emit_json(item.to_json())
            for result in report.found:
                emit_json(result.to_json())
            emit_json(report.scan.to_json())
            for lead in report.leads:
                emit_json(lead.to_json())
            return
        typer.echo(translate.format("Demo home: {home}", home=report.home))
        typer.echo(
            translate.format("Opened case {case_id}: {title}", case_id=report.case_id, title=DEMO_CASE_TITLE)
        )
        for item in report.protected:
            typer.echo("  " + translate.format("{path}: protected.", path=item.path.name))
        typer.echo(translate("Found online, checked against her bank:"))
        for result in report.found:
            name = Path(result.query).name
            if not result.matches:
                typer.echo("  " + translate.format("{query}: no match", query=name))
            for hit in result.matches:
                if hit.signal != "pdq":
                    continue
                typer.echo(
                    "  "
                    + translate.format(
                        "{query}: matches entry #{entry} of case {case} (distance {distance}, via {via})",
                        query=name,
                        entry=hit.entry_id,
                        case=hit.case_id,
                        distance=hit.distance,
                        via=hit.via,
                    )
                )
        typer.echo(
            translate.format(
                "Scanned a leak channel's Telegram export: {media} photos, {texts} messages; "
                "{queued} leads wait for review:",
                media=report.scan.media,
                texts=report.scan.texts,
                queued=report.scan.queued,
            )
        )
        for lead in report.leads:
            what = translate("her photo") if lead.kind == "media" else translate("her phone number")
            typer.echo(
                "  "
                + translate.format("#{review_id} {what}: {url}", review_id=lead.id, what=what, url=lead.url)
            )
        typer.echo(
            translate.format("See them with: RECLAIM_HOME={home} reclaim review list", home=report.home)
        )
        typer.echo(translate("Each match is a lead for a person to review, not a verdict."))
        typer.echo(translate("Only hashes were kept; the photos stayed where they are."))
