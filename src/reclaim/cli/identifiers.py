"""``reclaim identifiers add|list|find``: protect a person's details and find them in message text."""

from pathlib import Path

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="identifiers",
        help=_(
            "Protect her phone numbers, ID number, e-mail, handles and names, so that scans find "
            "them in messages. Only keyed hashes are kept, never the values."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")
    kind_labels = {
        "phone": _("phone number"),
        "id_number": _("ID number"),
        "email": _("e-mail address"),
        "handle": _("handle"),
        "name": _("name"),
    }
    case_help = _("The case's id or exact title.")

    @group.command("add", help=_("Add personal details to a case; each option can be given several times."))
    def add_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=case_help),
        phones: list[str] = typer.Option([], "--phone", help=_("A phone number, such as 138 1234 5678.")),
        id_numbers: list[str] = typer.Option(
            [], "--id-number", help=_("An 18-digit resident ID number (its check digit is verified).")
        ),
        emails: list[str] = typer.Option([], "--email", help=_("An e-mail address.")),
        handles: list[str] = typer.Option([], "--handle", help=_("A user name or handle, such as @name.")),
        names: list[str] = typer.Option([], "--name", help=_("A name, in Chinese or Latin letters.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.identifiers import IdentifierKind
        from reclaim.services.cases import resolve_case
        from reclaim.services.identifiers import add_case_identifiers, identifier_secret

        values = {
            IdentifierKind.PHONE: phones,
            IdentifierKind.ID_NUMBER: id_numbers,
            IdentifierKind.EMAIL: emails,
            IdentifierKind.HANDLE: handles,
            IdentifierKind.NAME: names,
        }
        if not any(values.values()):
            raise UserInputError(
                N_("Give at least one detail to protect."),
                hint=N_("For example: reclaim identifiers add CASE --phone 13812345678"),
            )
        settings = load_settings()
        with opened_store(settings) as engine:
            case = resolve_case(engine, case_ref)
            stored = add_case_identifiers(
                engine, identifier_secret(settings), case_id=case.id, values=values, actor=settings.actor
            )
        for record in stored:
            if json_output:
                emit_json(record.to_json())
            elif record.added:
                typer.echo(
                    translate.format(
                        "Protected a {kind} for case {case_id}.",
                        kind=kind_labels[record.kind],
                        case_id=case.id,
                    )
                )
            else:
                typer.echo(
                    translate.format(
                        "Case {case_id} already protects this {kind}.",
                        kind=kind_labels[record.kind],
                        case_id=case.id,
                    )
                )

    @group.command("list", help=_("List the kinds of detail a case protects (the values are not kept)."))
    def list_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=case_help),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.identifiers import case_identifiers

        with opened_store(load_settings()) as engine:
            case = resolve_case(engine, case_ref)
            stored = case_identifiers(engine, case.id)
        for record in stored:
            if json_output:
                emit_json(record.to_json())
            else:
                typer.echo(
                    f"#{record.id:<6} {record.kind:<10} {record.created_at:%Y-%m-%d}  {record.digest[:16]}…"
                )
        if not stored and not json_output:
            typer.echo(translate.format("Case {case_id} protects no personal details yet.", case_id=case.id))

    @group.command(
        "find", help=_("Find every case's protected details in text files (- reads standard input).")
    )
    def find_command(
        files: list[Path] = typer.Argument(
            ..., metavar="FILE...", help=_("UTF-8 text files, or - for standard input.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        import sys

        from reclaim.services.identifiers import find_protected_identifiers, identifier_secret

        texts = [sys.stdin.read() if str(path) == "-" else _read_text(path) for path in files]
        settings = load_settings()
        with opened_store(settings) as engine:
            results = find_protected_identifiers(engine, identifier_secret(settings), texts)
        for path, hits in zip(files, results, strict=True):
            for hit in hits:
                if json_output:
                    emit_json({"path": str(path), **hit.to_json()})
                else:
                    typer.echo(
                        translate.format(
                            "{path}: a protected {kind} of case {case_id} at characters {start}-{end}",
                            path=str(path),
                            kind=kind_labels[hit.kind],
                            case_id=hit.case_id,
                            start=hit.start,
                            end=hit.end,
                        )
                    )

    app.add_typer(group)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError(N_("{path} does not exist."), path=str(path)) from None
    except UnicodeDecodeError:
        raise UserInputError(
            N_("{path} is not UTF-8 text."), hint=N_("Save it as UTF-8 and try again."), path=str(path)
        ) from None
    except OSError as error:
        raise UserInputError(
            N_("Cannot read {path}: {reason}"), path=str(path), reason=error.strerror or str(error)
        ) from error
