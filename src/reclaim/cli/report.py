"""``reclaim report``: a case's report for the police, a court or a lawyer, as PDF or one HTML file."""

import sys
from pathlib import Path

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.passphrase import open_vault
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "report",
        help=_(
            "Write the case's report for the police, a court or a lawyer: summary, sightings with "
            "blurred thumbnails only, notices and their outcomes, what to ask the platforms for, her "
            "rights, the legal deadline and how to verify the evidence. Written in the language of "
            "--lang (zh or en)."
        ),
    )
    def report_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=_("The case's id or exact title.")),
        output: Path = typer.Option(
            ..., "-o", "--output", metavar="REPORT.pdf", help=_("The report file to write.")
        ),
        fmt: str = typer.Option(
            "pdf",
            "--format",
            metavar="pdf|html",
            help=_("pdf (default), or html: one self-contained file with the thumbnails inside."),
        ),
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.report import FORMATS, report_needs_vault, write_report

        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise UserInputError(N_("{format} is not a report format: give pdf or html."), format=fmt)
        settings = load_settings()
        with opened_store(settings) as engine:
            case = resolve_case(engine, case_ref)
            vault = open_vault(translate, settings) if report_needs_vault(engine, case.id) else None
            written = write_report(
                engine, settings, case.id, output, lang=translate.lang, fmt=fmt, vault=vault
            )
        if not written.log_verified:
            sys.stderr.write(
                translate(
                    "warning: the case's stored evidence log does not match its signed head; the report "
                    "says so. Restore the database from your backup (`reclaim restore` checks every log)."
                )
                + "\n"
            )
        if json_output:
            emit_json(written.to_json())
            return
        typer.echo(
            translate.format(
                "Wrote {path}: the report of case {case_id}, with {sightings} and {notices}.",
                path=written.path,
                case_id=written.case_id,
                sightings=translate.plural("{count} sighting", "{count} sightings", written.sightings),
                notices=translate.plural("{count} notice", "{count} notices", written.notices),
            )
        )
        if written.root_hash is not None:
            typer.echo(
                translate.format(
                    "It cites the signed log head of {size} entries, root {root}, key {fingerprint}.",
                    size=written.tree_size,
                    root=written.root_hash,
                    fingerprint=written.key_fingerprint,
                )
            )
        typer.echo(
            translate(
                "It names where she was exposed: hand it over only to the people it is for, and keep it "
                "as safe as the evidence."
            )
        )
