"""``reclaim withdraw CASE``: she takes her case back; everything it held is deleted for good."""

import sys
from typing import TYPE_CHECKING

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.services.withdraw import Withdrawal, WithdrawalPlan
    from reclaim.store.withdrawals import CaseContents


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "withdraw",
        help=_(
            "Withdraw a case: its hashes, personal details, sightings, captures, notices and scan leads "
            "are deleted from this computer for good. Only the fact and time of the withdrawal are kept."
        ),
    )
    def withdraw_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=_("The case's id or exact title.")),
        yes: bool = typer.Option(False, "--yes", help=_("Do not ask for confirmation (for scripts).")),
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.services.withdraw import finish_earlier_withdrawal, plan_withdrawal, withdraw_case

        settings = load_settings()
        with opened_store(settings) as engine:
            withdrawal = finish_earlier_withdrawal(engine, settings, case_ref)
            if withdrawal is None:
                plan = plan_withdrawal(engine, case_ref)
                if not yes:
                    _confirm(translate, plan)
                withdrawal = withdraw_case(engine, settings, plan.case.id)
        if json_output:
            emit_json(withdrawal.to_json())
        else:
            _show(translate, withdrawal)


def _confirm(translate: Translator, plan: "WithdrawalPlan") -> None:
    if not sys.stdin.isatty():
        raise UserInputError(
            N_("Withdrawing a case deletes it for good, so it must be confirmed. Nothing was deleted."),
            hint=N_("Run the command in a terminal to confirm, or add --yes in a script."),
        )
    typer.echo(
        translate.format(
            "Withdrawing case {case_id} ({title}) deletes for good:",
            case_id=plan.case.id,
            title=plan.case.title,
        ),
        err=True,  # the question goes to stderr, so that --json keeps stdout for its one line
    )
    for line in _contents_lines(translate, plan.contents):
        typer.echo(f"  {line}", err=True)
    typer.echo(
        translate("Only the fact and time of the withdrawal are kept. This cannot be undone."), err=True
    )
    if not typer.confirm(translate("Withdraw this case?"), err=True):
        typer.echo(translate("Nothing was deleted."), err=True)
        raise typer.Exit(1)


def _contents_lines(translate: Translator, contents: "CaseContents") -> list[str]:
    return [
        translate.plural("{count} protected hash", "{count} protected hashes", contents.entries),
        translate.plural("{count} personal detail", "{count} personal details", contents.identifiers),
        translate.plural(
            "{count} sighting in the evidence log",
            "{count} sightings in the evidence log",
            contents.sightings,
        ),
        translate.plural("{count} capture", "{count} captures", contents.captures),
        translate.plural("{count} notice", "{count} notices", contents.notices),
        translate.plural("{count} lead from scans", "{count} leads from scans", contents.leads),
    ]


def _show(translate: Translator, withdrawal: "Withdrawal") -> None:
    when = withdrawal.withdrawn_at.strftime("%Y-%m-%d %H:%M UTC")
    if withdrawal.already_withdrawn:
        typer.echo(
            translate.format(
                "Case {case_id} was already withdrawn on {when}; anything left of it has been cleared now.",
                case_id=withdrawal.case_id,
                when=when,
            )
        )
        return
    typer.echo(
        translate.format(
            "Case {case_id} was withdrawn on {when}. Deleted:", case_id=withdrawal.case_id, when=when
        )
    )
    for line in _contents_lines(translate, withdrawal.deleted):
        typer.echo(f"  {line}")
    typer.echo(
        translate(
            "Backups made before now (`reclaim backup`) and bundles or reports you exported still hold this "
            "case: delete them too."
        )
    )
