"""``reclaim bank quarantine|clear``: review the entries held back from matching."""

from typing import Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.locale import Translator


def register_quarantine(group: typer.Typer, translate: Translator) -> None:
    _ = translate
    reasons = {
        "flood": _("matched far more uploads than a private photo could"),
        "feedback": _("a platform said it is not NCII"),
    }

    @group.command(
        "quarantine",
        help=_(
            "List the entries held back from matching for review: they matched far more uploads "
            "than a private photo could, or a platform said they are not NCII."
        ),
    )
    def quarantine_command(
        case: Optional[str] = typer.Option(None, "--case", help=_("Only this case's entries.")),  # noqa: UP045
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.quarantine import held_entries

        settings = load_settings()
        with opened_store(settings) as engine:
            case_id = resolve_case(engine, case).id if case else None
            held = held_entries(engine, settings, case_id=case_id)
        for entry in held:
            if json_output:
                emit_json(entry.to_json())
                continue
            typer.echo(
                translate.format(
                    "#{entry} {bank} {signal}: held since {when}, {reason}; {matches} matches in {hours} h",
                    entry=entry.entry_id,
                    bank=entry.bank,
                    signal=entry.signal_type,
                    when=entry.quarantined_at.strftime("%Y-%m-%d %H:%M"),
                    reason=reasons.get(entry.reason, entry.reason),
                    matches=entry.recent_matches,
                    hours=settings.flood.hours,
                )
            )
            for item in entry.feedback:
                typer.echo(
                    translate.format(
                        "    {when} {token}: {verdict} {note}",
                        when=item.created_at.strftime("%Y-%m-%d %H:%M"),
                        token=item.token_id,
                        verdict=item.verdict,
                        note=item.note or "",
                    ).rstrip()
                )
        if not held and not json_output:
            typer.echo(_("No entry is waiting for review."))

    @group.command(
        "clear",
        help=_(
            "Let a held entry match again, once you have looked and it is hers. Floods no longer "
            "hold it; to remove it instead, use `reclaim bank withdraw`."
        ),
    )
    def clear_command(
        entry_id: int = typer.Argument(..., metavar="ENTRY_ID", help=_("The entry number.")),
    ) -> None:
        from reclaim.services.quarantine import clear_held_entry

        settings = load_settings()
        with opened_store(settings) as engine:
            clear_held_entry(engine, entry_id, actor=settings.actor)
        typer.echo(translate.format("#{entry} matches again.", entry=entry_id))
