"""``reclaim review import OUT.parquet``: a bulk job's matches wait in the review queue like a scan's."""

from pathlib import Path

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator


def import_results(translate: Translator, results: Path, json_output: bool) -> None:
    from reclaim.services.bulk_import import import_bulk_matches

    if not results.exists():
        raise UserInputError(
            N_("{path} does not exist."), hint=N_("Check the file's name and try again."), path=str(results)
        )
    settings = load_settings()
    with opened_store(settings) as engine:
        summary = import_bulk_matches(engine, settings, results)
    if json_output:
        emit_json(summary.to_json())
        return
    typer.echo(
        translate.format(
            "{files} matched files read; {queued} new leads queued for review.",
            files=summary.matched_files,
            queued=summary.queued,
        )
    )
    if summary.unassigned or summary.withdrawn:
        typer.echo(
            translate.format(
                "Not queued: {unassigned} matches of lists that belong to no case, {withdrawn} of entries "
                "withdrawn since the job ran.",
                unassigned=summary.unassigned,
                withdrawn=summary.withdrawn,
            )
        )
    if summary.queued:
        typer.echo(translate("Next: reclaim review list"))
