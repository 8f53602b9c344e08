"""``reclaim demo``: see Reclaim work on public sample photos, without touching your own home."""

import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json, error_line
from reclaim.config import load_settings
from reclaim.locale import Translator
from reclaim.services.demo_takedown import DEMO_PASSPHRASE

if TYPE_CHECKING:
    from reclaim.services.demo import DemoReport
    from reclaim.services.demo_takedown import DemoTakedown


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "demo",
        help=_(
            "Run the whole flow on bundled public sample photos: protect, match, scan a leak channel, "
            "accept the leads, draft a notice, write the report and the evidence bundle and verify it. "
            "In a temporary home (SQLite, no server) unless --home or RECLAIM_HOME names one."
        ),
    )
    def demo_command(
        home: Optional[Path] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--home",
            help=_(
                "Where to create the demo home (default: RECLAIM_HOME if set, else a new temporary folder)."
            ),
        ),
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.services.demo import run_demo

        own = load_settings()
        if home is None and os.environ.get("RECLAIM_HOME"):
            settings = own  # the home (and database) the user named
        else:
            demo_home = home or Path(tempfile.mkdtemp(prefix="reclaim-demo-"))
            settings = replace(load_settings({"RECLAIM_HOME": str(demo_home)}), limits=own.limits)
        settings = replace(settings, passphrase=settings.passphrase or DEMO_PASSPHRASE)
        report = run_demo(settings, settings.home / "demo-samples", lang=translate.lang)
        takedown = report.takedown
        for failure in report.failures:
            typer.echo(error_line(translate, failure.error), err=True)
        if json_output:
            _emit_json(report)
            return
        _show_detection(translate, report)
        typer.echo(translate("Each match is a lead for a person to review, not a verdict."))
        show_takedown(translate, report.home, settings.passphrase or DEMO_PASSPHRASE, takedown)
        typer.echo(
            translate(
                "Her photos were never copied: only their hashes are kept. The found copies kept as "
                "evidence are encrypted in the vault."
            )
        )


def show_takedown(translate: Translator, home: Path, passphrase: str, takedown: "DemoTakedown") -> None:
    typer.echo(
        translate.format(
            "A caseworker looked at the {count} leads and accepted them: each is now a sighting in the "
            "case's signed evidence log.",
            count=takedown.accepted,
        )
    )
    for drafted in takedown.notices:
        notice = drafted.record
        typer.echo(
            translate.format(
                "Drafted notice {notice} for {route} and recorded it as sent; an answer is due by {due}.",
                notice=notice.id,
                route=notice.route,
                due=notice.due_at.strftime("%Y-%m-%d"),
            )
        )
    if takedown.report_problem is not None:
        typer.echo(error_line(translate, takedown.report_problem), err=True)
        typer.echo(translate("So the report was written as a web page instead."), err=True)
    typer.echo(translate.format("Report for the police (Chinese): {path}", path=takedown.report.path))
    typer.echo(translate.format("Evidence bundle: {path}", path=takedown.bundle.path))
    if takedown.bundle_problems:
        typer.echo(translate("The bundle did not verify:"), err=True)
        for problem in takedown.bundle_problems:
            typer.echo("  " + translate(problem), err=True)
    else:
        typer.echo(
            translate.format(
                "Verified offline: intact, signed by key {fingerprint}.",
                fingerprint=takedown.bundle.key_fingerprint,
            )
        )
    typer.echo(
        translate.format(
            "Look around with: export RECLAIM_HOME={home} RECLAIM_PASSPHRASE={passphrase}; "
            "then reclaim case show {case}, reclaim notice list, reclaim review list --status all",
            home=home,
            passphrase=passphrase if passphrase == DEMO_PASSPHRASE else "...",
            case=takedown.report.case_id,
        )
    )


def _emit_json(report: "DemoReport") -> None:
    takedown = report.takedown
    for item in report.protected:
        emit_json(item.to_json())
    for result in report.found:
        emit_json(result.to_json())
    emit_json(report.scan.to_json())
    for lead in report.leads:
        emit_json(lead.to_json())
    for notice in takedown.notices:
        emit_json(notice.to_json())
    emit_json(takedown.report.to_json())
    emit_json({**takedown.bundle.to_json(), "intact": not takedown.bundle_problems})


def _show_detection(translate: Translator, report: "DemoReport") -> None:
    from reclaim.services.demo import DEMO_CASE_TITLE

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
            "  " + translate.format("#{review_id} {what}: {url}", review_id=lead.id, what=what, url=lead.url)
        )
