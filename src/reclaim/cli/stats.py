"""``reclaim stats``: how each platform answers the notices on record."""

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "stats",
        help=_(
            "Each platform's median time from sending a notice to removal, and its share of refusals, "
            "from the notices on record."
        ),
    )
    def stats_command(
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.cases.stats import platform_stats
        from reclaim.store.notices import list_notices

        with opened_store(load_settings()) as engine:
            rows = platform_stats(list_notices(engine))
        if json_output:
            for row in rows:
                emit_json(row.to_json())
            return
        if not rows:
            typer.echo(translate("No notices on record yet."))
            return
        for row in rows:
            median = (
                translate.format("{hours} h", hours=row.median_hours_to_removal)
                if row.median_hours_to_removal is not None
                else "-"
            )
            share = f"{100 * row.refusal_share:.0f}%" if row.refusal_share is not None else "-"
            typer.echo(
                translate.format(
                    "{platform}: {notices} notices, {sent} sent, {removed} removed, {refused} refused, "
                    "{no_response} unanswered, {waiting} waiting; median time to removal {median}; "
                    "refused {share}",
                    platform=row.addressee,
                    notices=row.notices,
                    sent=row.sent,
                    removed=row.removed,
                    refused=row.refused,
                    no_response=row.no_response,
                    waiting=row.waiting,
                    median=median,
                    share=share,
                )
            )
