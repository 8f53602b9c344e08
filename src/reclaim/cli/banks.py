"""``reclaim bank list|entries|withdraw``: see what the banks hold and withdraw entries.

Import and export are below; the quarantine review is in ``cli.quarantine``.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json, warn_about_lines
from reclaim.cli.quarantine import register_quarantine
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.bank.format_names import HashListFormat


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="bank",
        help=_("See the banks of protected hashes, withdraw entries, import and export hash lists."),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")

    @group.command("list", help=_("List the banks: one per case, one per imported list."))
    def list_command(json_output: bool = typer.Option(False, "--json", help=json_help)) -> None:
        from reclaim.store.banks import list_banks

        with opened_store(load_settings()) as engine:
            banks = list_banks(engine)
        for bank in banks:
            if json_output:
                emit_json(bank.to_json())
            else:
                typer.echo(
                    translate.format(
                        "{bank}  {active} active, {withdrawn} withdrawn",
                        bank=bank.name,
                        active=bank.active_entries,
                        withdrawn=bank.withdrawn_entries,
                    )
                )

    @group.command("entries", help=_("List a bank's entries with their provenance."))
    def entries_command(
        bank: Optional[str] = typer.Option(None, "--bank", help=_("Only this bank.")),  # noqa: UP045
        withdrawn: bool = typer.Option(False, "--withdrawn", help=_("Also list withdrawn entries.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.store.banks import list_entries

        statuses = {"active": _("active"), "withdrawn": _("withdrawn")}
        with opened_store(load_settings()) as engine:
            entries = list_entries(engine, bank=bank, include_withdrawn=withdrawn)
        for entry in entries:
            if json_output:
                emit_json(entry.to_json())
                continue
            typer.echo(
                translate.format(
                    "#{entry} {bank} {signal} {status}: submitted by {who} on {when} "
                    "({attestation}, {source_kind})",
                    entry=entry.id,
                    bank=entry.bank,
                    signal=entry.signal_type,
                    status=statuses[entry.status.value],
                    who=entry.provenance.submitted_by,
                    when=entry.provenance.submitted_at.strftime("%Y-%m-%d"),
                    attestation=entry.provenance.attestation.value,
                    source_kind=entry.provenance.source_kind.value,
                )
            )

    @group.command(
        "withdraw",
        help=_("Withdraw entries: their hashes are deleted and never matched again; who and when is kept."),
    )
    def withdraw_command(
        entry_ids: list[int] = typer.Argument(
            ..., metavar="ENTRY_ID...", help=_("Entry numbers to withdraw.")
        ),
        reason: str = typer.Option("withdrawn", "--reason", help=_("Why, for the audit trail.")),
        yes: bool = typer.Option(False, "--yes", help=_("Do not ask for confirmation.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.store.banks import withdraw_entries
        from reclaim.store.database import flush_deleted_data

        if not yes and not typer.confirm(
            translate.plural(
                "Withdraw {count} entry? Its hash is deleted.",
                "Withdraw {count} entries? Their hashes are deleted.",
                len(entry_ids),
            )
        ):
            raise typer.Exit(1)
        settings = load_settings()
        with opened_store(settings) as engine:
            withdrawn = withdraw_entries(engine, entry_ids, actor=settings.actor, reason=reason)
            flush_deleted_data(engine)
        missing = sorted(set(entry_ids) - {entry.id for entry in withdrawn})
        for entry in withdrawn:
            if json_output:
                emit_json(entry.to_json())
            else:
                typer.echo(translate.format("#{entry} withdrawn.", entry=entry.id))
        if missing:
            raise UserInputError(
                N_("No entry numbered {ids}."),
                hint=N_("`reclaim bank entries` lists the entries."),
                ids=", ".join(map(str, missing)),
            )

    _register_exchange(group, translate)
    register_quarantine(group, translate)
    app.add_typer(group)


def _register_exchange(group: typer.Typer, translate: Translator) -> None:
    _ = translate
    json_help = _("Print JSON lines and nothing else.")
    formats = ", ".join(f.value for f in _all_formats())

    @group.command(
        "import",
        help=_(
            "Import a hash list (Reclaim JSON lines or CSV, python-threatexchange, HMA, StopNCII) into "
            "a bank of its own. Hashes the list marks withdrawn are removed; hashes withdrawn here "
            "stay withdrawn."
        ),
    )
    def import_command(
        path: Path = typer.Argument(..., metavar="FILE", help=_("The hash list.")),
        bank: Optional[str] = typer.Option(  # noqa: UP045
            None, "--bank", help=_("The bank to import into (default: list-<file name>).")
        ),
        list_format: Optional[str] = typer.Option(  # noqa: UP045
            None,
            "--format",
            metavar="FORMAT",
            help=_("The list's format (default: recognised from the file): ") + formats,
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.exchange import import_hash_list

        settings = load_settings()
        with opened_store(settings) as engine:
            summary = import_hash_list(engine, settings, path, bank=bank, list_format=_format(list_format))
        warn_about_lines(translate, summary.problems)
        if json_output:
            emit_json(summary.to_json())
            return
        typer.echo(
            translate.format(
                "Imported into {bank}: {added} added, {present} already there, {removed} removed as "
                "withdrawn by the list, {kept} kept withdrawn, {problems} lines with problems.",
                bank=summary.bank,
                added=summary.added,
                present=summary.already_present,
                removed=summary.withdrawn_by_list,
                kept=summary.kept_withdrawn,
                problems=len(summary.problems),
            )
        )

    @group.command(
        "export",
        help=_("Export a bank's active hashes as a list; never names, titles, notes or identifiers."),
    )
    def export_command(
        bank: str = typer.Argument(..., metavar="BANK", help=_("The bank (see `reclaim bank list`).")),
        output: Path = typer.Option(
            ..., "-o", "--output", help=_("The file to write; - for standard output.")
        ),
        list_format: str = typer.Option(
            "reclaim-jsonl", "--format", metavar="FORMAT", help=_("The list's format: ") + formats
        ),
    ) -> None:
        from reclaim.services.exchange import export_bank

        chosen = _format(list_format)
        assert chosen is not None
        with opened_store(load_settings()) as engine:
            if str(output) == "-":
                count = export_bank(engine, bank, chosen, sys.stdout)
            else:
                with output.open("w", encoding="utf-8", newline="") as stream:
                    count = export_bank(engine, bank, chosen, stream)
        typer.echo(translate.plural("Exported {count} hash.", "Exported {count} hashes.", count), err=True)


def _all_formats() -> list["HashListFormat"]:
    from reclaim.bank.format_names import HashListFormat

    return list(HashListFormat)


def _format(name: str | None) -> "HashListFormat | None":
    from reclaim.bank.format_names import HashListFormat

    if name is None:
        return None
    try:
        return HashListFormat(name)
    except ValueError:
        raise UserInputError(
            N_("Unknown list format {format}."),
            hint=N_("Use one of: {formats}."),
            format=name,
            formats=", ".join(f.value for f in HashListFormat),
        ) from None
