"""``reclaim scan telegram-export DIR`` and ``reclaim scan folder DIR...``: find her content, queue leads."""

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json, error_line
from reclaim.cli.progress import progress_bar
from reclaim.cli.scan_report import echo_findings
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.services.scan import ScanSource, ScanSummary
    from reclaim.sources.found import FoundItem
    from reclaim.sources.telegram_export import ExportSummary

# Export problems printed one by one before the rest are only counted.
_PROBLEMS_SHOWN = 20


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="scan",
        help=_(
            "Scan found content against every bank and every protected detail; hits wait in the "
            "review queue for a person to check. Only hashes are kept, never the media or the text."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print one JSON summary line and nothing else.")
    workers_help = _("Processes to use; 0 uses every CPU core.")
    low_quality_help = _(
        "Also match against low-quality photo hashes (plain or tiny pictures; more false leads)."
    )

    @group.command(
        "telegram-export",
        help=_(
            "Scan a Telegram Desktop export (Machine-readable JSON): every photo, video and message. "
            "Run it again after an interruption: it goes on where it stopped."
        ),
    )
    def telegram_export_command(
        folder: Path = typer.Argument(
            ..., metavar="DIR", help=_("The export's folder, which holds result.json.")
        ),
        username: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--username",
            metavar="NAME",
            help=_("The channel's public username, for t.me/NAME/ID links (else t.me/c/ID/ID)."),
        ),
        include_low_quality: bool = typer.Option(False, "--include-low-quality", help=low_quality_help),
        workers: int = typer.Option(0, "--workers", min=0, help=workers_help),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.scan import ScanSource
        from reclaim.sources.export_items import found_items
        from reclaim.sources.telegram_export import parse_export

        export = parse_export(folder, username.lstrip("@") if username else None)
        if not json_output:
            _warn_export_problems(translate, export.summary)
        summary = _scan(
            translate,
            list(found_items(export)),
            ScanSource("telegram-export", str(export.root)),
            include_low_quality=include_low_quality,
            workers=workers,
        )
        summary.extra.update(_export_counts(export.summary))
        _report(translate, summary, json_output)

    @group.command(
        "folder",
        help=_(
            "Scan folders of found photos and videos (a download, a copy of a chat). "
            "Run it again after an interruption: it goes on where it stopped."
        ),
    )
    def folder_command(
        paths: list[Path] = typer.Argument(..., metavar="DIR...", help=_("Folders or files to scan.")),
        include_low_quality: bool = typer.Option(False, "--include-low-quality", help=low_quality_help),
        workers: int = typer.Option(0, "--workers", min=0, help=workers_help),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.hashing import find_media_files
        from reclaim.services.scan import ScanSource
        from reclaim.sources.folder import found_items

        for path in paths:
            if not path.exists():
                raise UserInputError(
                    N_("{path} does not exist."),
                    hint=N_("Check the folder's name and try again."),
                    path=str(path),
                )
        found = find_media_files(paths)
        if not found.files:
            raise UserInputError(
                N_("No photos or videos found in {paths}."), paths=", ".join(str(p) for p in paths)
            )
        location = ", ".join(str(path.resolve()) for path in paths)
        summary = _scan(
            translate,
            list(found_items(found.files)),
            ScanSource("folder", location),
            include_low_quality=include_low_quality,
            workers=workers,
        )
        summary.extra["not_media"] = found.skipped
        _report(translate, summary, json_output)

    app.add_typer(group)


def _scan(
    translate: Translator,
    items: "list[FoundItem]",
    source: "ScanSource",
    *,
    include_low_quality: bool,
    workers: int,
) -> "ScanSummary":
    from reclaim.services.scan import run_scan

    settings = load_settings()
    with (
        opened_store(settings) as engine,
        progress_bar(translate, translate("Scanning"), len(items)) as advance,
    ):
        summary = run_scan(
            engine,
            settings,
            items,
            source,
            workers=workers or None,
            include_low_quality=include_low_quality,
            advance=advance,
        )
    for failure in summary.failures:
        typer.echo(error_line(translate, failure.error), err=True)
    return summary


def _export_counts(summary: "ExportSummary") -> dict[str, object]:
    return {
        "chats": summary.chats,
        "messages": summary.messages,
        "service_messages": summary.service_messages,
        "other_files": summary.other_files,
        "problems": len(summary.problems),
        "unknown_fields": dict(summary.unknown_fields),
    }


def _warn_export_problems(translate: Translator, summary: "ExportSummary") -> None:
    for problem in summary.problems[:_PROBLEMS_SHOWN]:
        message = translate.format(problem.message, **dict(problem.params))
        typer.echo(translate.format("warning: {problem}", problem=message), err=True)
    if summary.unknown_fields:
        fields = ", ".join(f"{name} ({count})" for name, count in summary.unknown_fields)
        typer.echo(
            translate.format(
                "warning: the export has fields this version does not know; they were ignored: {fields}",
                fields=fields,
            ),
            err=True,
        )
    hidden = len(summary.problems) - _PROBLEMS_SHOWN
    if hidden > 0:
        typer.echo(
            translate.plural(
                "warning: {count} more problem in the export (see --json).",
                "warning: {count} more problems in the export (see --json).",
                hidden,
            ),
            err=True,
        )


def _report(translate: Translator, summary: "ScanSummary", json_output: bool) -> None:
    if json_output:
        emit_json(summary.to_json())
        return
    typer.echo(
        translate.format(
            "Read {items} items: {media} photos and videos hashed, {texts} texts read, "
            "{earlier} already scanned before.",
            items=summary.items,
            media=summary.media,
            texts=summary.texts,
            earlier=summary.already_scanned,
        )
    )
    reasons = {
        "not_included": translate("not included in the export"),
        "missing": translate("file missing from the export"),
        "over_limit": translate("over the size limit"),
        "unreadable": translate("could not be read"),
    }
    echo_findings(
        translate,
        skipped=summary.skipped,
        reasons=reasons,
        media_hits=summary.media_hits,
        identifier_hits=summary.identifier_hits,
        unassigned_hits=summary.unassigned_hits,
        queued=summary.queued,
    )
    if summary.queued:
        typer.echo(translate("Next: reclaim review list"))
