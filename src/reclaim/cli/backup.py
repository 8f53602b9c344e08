"""``reclaim backup -o FILE`` and ``reclaim restore FILE``: the whole home in one sealed file."""

import sys
from pathlib import Path

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.passphrase import ask_passphrase
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, VerificationError
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    json_help = _("Print JSON lines and nothing else.")

    @app.command(
        "backup",
        help=_(
            "Back up the whole home (database, vault, signing key) into one file sealed with the vault "
            "passphrase. Without the key and the vault, bundles cannot be verified nor captures read."
        ),
    )
    def backup_command(
        output: Path = typer.Option(
            ..., "-o", "--output", metavar="FILE", help=_("The backup file to write.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.backup import create_backup

        settings = load_settings()
        with opened_store(settings) as engine:
            passphrase = ask_passphrase(translate, settings, confirm=True)
            summary = create_backup(engine, settings, output, passphrase)
        if json_output:
            emit_json(summary.to_json())
            return
        typer.echo(
            translate.format(
                "Wrote {path}: {rows} database rows, {files} vault files and the signing key "
                "(fingerprint {fingerprint}).",
                path=summary.path,
                rows=sum(summary.rows.values()),
                files=summary.vault_files,
                fingerprint=summary.key_fingerprint,
            )
        )
        typer.echo(
            translate("Keep it somewhere else than this computer, with the passphrase kept apart from it.")
        )

    @app.command(
        "restore",
        help=_(
            "Restore a backup into a new, empty home (RECLAIM_HOME) and database, then check every case's "
            "evidence log."
        ),
    )
    def restore_command(
        backup: Path = typer.Argument(..., metavar="FILE", help=_("The backup file.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.backup import restore_backup

        settings = load_settings()
        summary = restore_backup(settings, backup, ask_passphrase(translate, settings))
        if json_output:
            emit_json(summary.to_json())
        else:
            typer.echo(
                translate.format(
                    "Restored {home}: {rows} database rows, {files} vault files, signing key {fingerprint}.",
                    home=summary.home,
                    rows=sum(summary.rows.values()),
                    files=summary.vault_files,
                    fingerprint=summary.key_fingerprint,
                )
            )
        if summary.problems:
            for case_id, problems in summary.problems.items():
                for problem in problems:
                    sys.stderr.write(
                        translate.format("problem: {message}", message=f"{case_id}: {problem}") + "\n"
                    )
            raise VerificationError(
                N_("The evidence logs of {count} cases do not verify."), count=len(summary.problems)
            )
        if not json_output:
            typer.echo(
                translate.format("Every evidence log verifies ({count} cases).", count=summary.cases_checked)
            )
