"""``reclaim case new|list|show``: open a case for a person and see what it protects."""

from typing import TYPE_CHECKING

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.services.case_timeline import CaseOverview


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="case",
        help=_("Open cases and see what each one protects."),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")

    @group.command("new", help=_("Open a case. The title can be a pseudonym; it never leaves this computer."))
    def new_command(
        title: str = typer.Argument(
            ..., metavar="TITLE", help=_("A name for the case, such as a pseudonym.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import new_case

        settings = load_settings()
        with opened_store(settings) as engine:
            case = new_case(engine, title, actor=settings.actor)
        if json_output:
            emit_json(case.to_json())
            return
        typer.echo(translate.format("Opened case {case_id}: {title}", case_id=case.id, title=case.title))
        typer.echo(
            translate.format(
                "Next: protect her photos and videos with `reclaim protect {case_id} PATH...`.",
                case_id=case.id,
            )
        )

    @group.command("list", help=_("List the cases."))
    def list_command(json_output: bool = typer.Option(False, "--json", help=json_help)) -> None:
        from reclaim.services.cases import all_cases

        with opened_store(load_settings()) as engine:
            cases = all_cases(engine)
        if json_output:
            for case in cases:
                emit_json(case.to_json())
            return
        if not cases:
            typer.echo(translate("No cases yet. Open one with `reclaim case new TITLE`."))
        for case in cases:
            typer.echo(
                f"{case.id}  {case.title}  "
                + translate.plural("{count} protected file", "{count} protected files", case.protected_items)
            )

    @group.command(
        "show",
        help=_(
            "Show a case: what needs attention (overdue notices, re-uploads, the police deadline), "
            "its timeline, and the signals it protects."
        ),
    )
    def show_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=_("The case's id or exact title.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
        withdrawn: bool = typer.Option(False, "--withdrawn", help=_("Also list withdrawn entries.")),
    ) -> None:
        from reclaim.services.case_timeline import case_overview
        from reclaim.services.cases import resolve_case
        from reclaim.store.banks import list_entries

        with opened_store(load_settings()) as engine:
            case = resolve_case(engine, case_ref)
            entries = list_entries(engine, case_id=case.id, include_withdrawn=withdrawn)
            overview = case_overview(engine, case)
        if json_output:
            emit_json(
                {
                    **case.to_json(),
                    "flags": [flag.to_json() for flag in overview.flags],
                    "timeline": [event.to_json() for event in overview.events],
                }
            )
            for entry in entries:
                emit_json(entry.to_json())
            return
        typer.echo(f"{case.id}  {case.title}")
        typer.echo(translate.format("Opened {date}", date=case.created_at.strftime("%Y-%m-%d %H:%M UTC")))
        typer.echo(
            translate.format(
                "Protected files: {items}; active entries: {active}; withdrawn: {withdrawn}",
                items=case.protected_items,
                active=case.active_entries,
                withdrawn=case.withdrawn_entries,
            )
        )
        show_overview(translate, overview)
        if entries:
            typer.echo(translate("Protected signals:"))
        for entry in entries:
            marks = []
            if entry.low_quality:
                marks.append(translate("low quality"))
            if entry.provenance.source_kind.value == "found-copy":
                marks.append(translate("from a found copy"))
            if entry.value is None:
                marks.append(translate("withdrawn"))
            shown = (entry.value or "")[:64]
            typer.echo(f"  #{entry.id:<6} {entry.signal_type:<6} {shown}  {' · '.join(marks)}".rstrip())

    app.add_typer(group)


def show_overview(translate: Translator, overview: "CaseOverview") -> None:
    from reclaim.cli.case_flags import describe_event, describe_flag

    if overview.flags:
        typer.echo(translate("Needs attention:"))
        for flag in overview.flags:
            typer.echo("  ! " + describe_flag(translate, flag))
    typer.echo(translate("Timeline:"))
    for event in overview.events:
        typer.echo(f"  {event.at.strftime('%Y-%m-%d %H:%M')}  " + describe_event(translate, event))
