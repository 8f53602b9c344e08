"""``reclaim review list | accept ID | reject ID``: a person decides on every lead a scan found."""

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.evidence.vault import Vault
    from reclaim.services.review import Decision
    from reclaim.store.scans import StoredReview

_STATUS_LABELS = {"pending": N_("pending"), "accepted": N_("accepted"), "rejected": N_("rejected")}


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="review",
        help=_(
            "Look at each lead a scan found and accept it (it becomes evidence) or reject it. "
            "A match is a lead, never proof on its own."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")

    @group.command("list", help=_("List the leads waiting for review (or, with --status, decided ones)."))
    def list_command(
        case_ref: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--case", metavar="CASE", help=_("Only this case's leads.")
        ),
        status: str = typer.Option(
            "pending", "--status", metavar="pending|accepted|rejected|all", help=_("Which leads to list.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.review import list_leads
        from reclaim.store.scans import REVIEW_STATUSES

        if status not in (*REVIEW_STATUSES, "all"):
            raise UserInputError(
                N_("Unknown status {status}."),
                hint=N_("Use pending, accepted, rejected or all."),
                status=status,
            )
        statuses = REVIEW_STATUSES if status == "all" else (status,)
        settings = load_settings()
        with opened_store(settings) as engine:
            case_id = resolve_case(engine, case_ref).id if case_ref else None
            leads = list_leads(engine, statuses=statuses, case_id=case_id)
        if json_output:
            for lead in leads:
                emit_json(lead.to_json())
            return
        if not leads:
            typer.echo(translate("No leads to review."))
            return
        for lead in leads:
            typer.echo(_describe(translate, lead))
        typer.echo(translate("Decide with: reclaim review accept ID | reclaim review reject ID"))

    @group.command(
        "accept",
        help=_(
            "Accept a lead: it is recorded as a sighting in the case's evidence log, with the found "
            "file sealed in the vault."
        ),
    )
    def accept_command(
        review_id: int = typer.Argument(..., metavar="ID", help=_("The lead's number, from review list.")),
        minor: bool = typer.Option(
            False,
            "--minor",
            help=_(
                "The content may show a minor: keep only its hashes and link, never the file, and "
                "report it to the child-protection route."
            ),
        ),
        note: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--note", metavar="TEXT", help=_("A note for the evidence log.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.review import accept_lead

        settings = load_settings()

        def open_vault() -> "Vault":
            from reclaim.cli.passphrase import open_vault

            return open_vault(translate, settings)

        with opened_store(settings) as engine:
            decision = accept_lead(
                engine, settings, review_id, open_vault=open_vault, possible_minor=minor, note=note
            )
        _show_decision(translate, decision, json_output)

    @group.command("reject", help=_("Reject a lead: it is not her, or not a match. It is not queued again."))
    def reject_command(
        review_id: int = typer.Argument(..., metavar="ID", help=_("The lead's number, from review list.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.review import reject_lead

        settings = load_settings()
        with opened_store(settings) as engine:
            decision = reject_lead(engine, settings, review_id)
        _show_decision(translate, decision, json_output)

    @group.command(
        "import",
        help=_(
            "Queue the matches of a `reclaim bulk scan` or `reclaim bulk match` output for review, as "
            "a scan queues its hits. Importing the same output again queues nothing twice."
        ),
    )
    def import_command(
        results: Path = typer.Argument(..., metavar="OUT.parquet", help=_("The bulk job's --output.")),
        json_output: bool = typer.Option(
            False, "--json", help=_("Print one JSON summary line and nothing else.")
        ),
    ) -> None:
        from reclaim.cli.bulk_import import import_results

        import_results(translate, results, json_output)

    app.add_typer(group)


def _describe(translate: Translator, lead: "StoredReview") -> str:
    where = lead.channel_title or lead.platform or "?"
    link = lead.url or ""
    if lead.kind == "media":
        what = translate.format(
            "photo or video match ({signal}, distance {distance}, via {via})",
            signal=lead.signal,
            distance=lead.distance,
            via=lead.via,
        )
    else:
        what = translate.format("her personal detail in a message ({kind})", kind=lead.signal)
    when = lead.posted_at.strftime("%Y-%m-%d %H:%M") if lead.posted_at else ""
    return translate.format(
        "#{review_id} · case {case_id} · {what} · {where} {link} {when} · {status}",
        review_id=lead.id,
        case_id=lead.case_id,
        what=what,
        where=where,
        link=link,
        when=when,
        status=translate(_STATUS_LABELS.get(lead.status, lead.status)),
    )


def _show_decision(translate: Translator, decision: "Decision", json_output: bool) -> None:
    from reclaim.services.review import CHILD_PROTECTION_ROUTES

    if json_output:
        emit_json(decision.to_json())
        return
    review = decision.review
    if review.status == "rejected":
        typer.echo(
            translate.format("Lead #{review_id} rejected; it will not be queued again.", review_id=review.id)
        )
        return
    assert decision.sighting is not None
    typer.echo(
        translate.format(
            "Lead #{review_id} accepted: sighting {leaf_index} in case {case_id}'s evidence log.",
            review_id=review.id,
            leaf_index=decision.sighting.leaf_index,
            case_id=review.case_id,
        )
    )
    if decision.capture_missing is not None:
        typer.echo(
            translate.format(
                "The found file could not be kept as the capture ({reason}); the log records its hashes.",
                reason=decision.capture_missing,
            ),
            err=True,
        )
    if review.possible_minor:
        typer.echo(
            translate(
                "It may show a minor: no copy was kept. Report the link (not the file) to the "
                "child-protection routes below, and do not download or share the content."
            )
        )
        for route in CHILD_PROTECTION_ROUTES:
            typer.echo(f"  {route.name}: {route.address}")
