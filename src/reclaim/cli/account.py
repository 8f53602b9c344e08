"""``reclaim account create|list|disable``: the people who log in to the web app."""

import os
import sys
from typing import Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

# For scripts and tests; read here, at the one place that asks for a password, not in config.py,
# so a password never sits in the Settings that every command carries around.
PASSWORD_VARIABLE = "RECLAIM_ACCOUNT_PASSWORD"


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="account",
        help=_("Create, list and disable the accounts people log in to the web app with."),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")

    @group.command(
        "create",
        help=_("Create an account. The password is asked twice, or read from RECLAIM_ACCOUNT_PASSWORD."),
    )
    def create_command(
        login: str = typer.Argument(..., metavar="LOGIN", help=_("The name to log in with.")),
        role: str = typer.Option(
            ...,
            "--role",
            metavar="admin|caseworker|victim",
            show_default=False,
            help=_("admin (everything), caseworker (cases), victim (her own case only)."),
        ),
        case_ref: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--case",
            metavar="CASE",
            help=_("Her case, for a victim's account; or the one case a caseworker may see."),
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.accounts import check_password_strength, create_account
        from reclaim.services.cases import resolve_case

        settings = load_settings()
        password = _password(translate)
        check_password_strength(password)  # before the database is opened: a typo costs nothing
        with opened_store(settings) as engine:
            case_id = resolve_case(engine, case_ref).id if case_ref else None
            record = create_account(
                engine, login, password, role=role.strip().lower(), actor=settings.actor, case_id=case_id
            )
        if json_output:
            emit_json(record.to_json())
            return
        typer.echo(
            translate.format("Created account {login} ({role}).", login=record.login, role=record.role)
        )

    @group.command("list", help=_("List the accounts (never their passwords)."))
    def list_command(json_output: bool = typer.Option(False, "--json", help=json_help)) -> None:
        from reclaim.services.accounts import all_accounts

        with opened_store(load_settings()) as engine:
            records = all_accounts(engine)
        if json_output:
            for record in records:
                emit_json(record.to_json())
            return
        if not records:
            typer.echo(
                translate("No accounts yet. Create one with `reclaim account create LOGIN --role ROLE`.")
            )
        for record in records:
            status = _("disabled") if record.disabled_at else _("active")
            typer.echo(
                "  ".join(part for part in (record.login, record.role, status, record.case_id or "") if part)
            )

    @group.command("disable", help=_("Disable an account: it can no longer log in, and its sessions end."))
    def disable_command(
        login: str = typer.Argument(..., metavar="LOGIN", help=_("The account's login name.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.accounts import disable_account

        settings = load_settings()
        with opened_store(settings) as engine:
            record = disable_account(engine, login, actor=settings.actor)
        if json_output:
            emit_json(record.to_json())
            return
        typer.echo(translate.format("Disabled account {login}.", login=record.login))

    app.add_typer(group)


def _password(translate: Translator) -> str:
    given = os.environ.get(PASSWORD_VARIABLE)
    if given:
        return given
    if not sys.stdin.isatty():
        raise UserInputError(
            N_("The account needs a password."),
            hint=N_("Set RECLAIM_ACCOUNT_PASSWORD, or run the command in a terminal to type it."),
        )
    value: str = typer.prompt(translate("Password"), hide_input=True, confirmation_prompt=True)
    return value
