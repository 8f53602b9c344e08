"""``reclaim token create|list|revoke``: who may call the HTTP API, and in which role."""

from typing import Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="token",
        help=_("Issue, list and revoke the tokens that let helplines and platforms call the HTTP API."),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")

    @group.command(
        "create",
        help=_("Issue a token. Its secret is shown once only: give it to its holder at once."),
    )
    def create_command(
        role: str = typer.Option(
            ...,
            "--role",
            metavar="admin|caseworker|platform",
            show_default=False,
            help=_("What the token may do: admin (everything), caseworker (cases), platform (matching)."),
        ),
        case_ref: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--case", metavar="CASE", help=_("Limit a caseworker's token to this case.")
        ),
        expires_days: int = typer.Option(
            90, "--expires-days", min=1, metavar="N", help=_("Days until the token expires.")
        ),
        name: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--name", metavar="TEXT", help=_("Whose token it is, such as a platform's name.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from datetime import timedelta

        from reclaim.services.cases import resolve_case
        from reclaim.services.tokens import create_token

        settings = load_settings()
        with opened_store(settings) as engine:
            case_id = resolve_case(engine, case_ref).id if case_ref else None
            issued = create_token(
                engine,
                role=role.strip().lower(),
                actor=settings.actor,
                case_id=case_id,
                valid_for=timedelta(days=expires_days),
                name=name,
            )
        if json_output:
            emit_json(issued.to_json())
            return
        record = issued.record
        typer.echo(
            translate.format(
                "Issued token {token_id} ({role}), valid until {expires_at}.",
                token_id=record.token_id,
                role=record.role,
                expires_at=record.expires_at.isoformat(timespec="seconds"),
            )
        )
        typer.echo(issued.token)
        typer.echo(translate("This is the only time the token is shown; Reclaim keeps only its hash."))

    @group.command("list", help=_("List the tokens (never their secrets)."))
    def list_command(json_output: bool = typer.Option(False, "--json", help=json_help)) -> None:
        from datetime import UTC, datetime

        from reclaim.services.tokens import all_tokens

        with opened_store(load_settings()) as engine:
            records = all_tokens(engine)
        now = datetime.now(UTC)
        if json_output:
            for record in records:
                emit_json(record.to_json(now))
            return
        if not records:
            typer.echo(translate("No tokens yet. Issue one with `reclaim token create --role ROLE`."))
        statuses = {"active": _("active"), "expired": _("expired"), "revoked": _("revoked")}
        for record in records:
            typer.echo(
                "  ".join(
                    part
                    for part in (
                        record.token_id,
                        record.role,
                        statuses[record.status(now)],
                        translate.format(
                            "until {expires_at}", expires_at=record.expires_at.isoformat(timespec="seconds")
                        ),
                        record.case_id or "",
                        record.name or "",
                    )
                    if part
                )
            )

    @group.command("revoke", help=_("Revoke a token: from now on every request with it is refused."))
    def revoke_command(
        token_id: str = typer.Argument(
            ..., metavar="TOKEN_ID", help=_("The token's id, as `reclaim token list` shows it.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from datetime import UTC, datetime

        from reclaim.services.tokens import revoke_token

        settings = load_settings()
        with opened_store(settings) as engine:
            record = revoke_token(engine, token_id, actor=settings.actor)
        if json_output:
            emit_json(record.to_json(datetime.now(UTC)))
            return
        typer.echo(translate.format("Revoked token {token_id}.", token_id=record.token_id))

    app.add_typer(group)
