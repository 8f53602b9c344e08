"""``reclaim webhook add|list|remove|deliver``: push the bank's changes to platforms' addresses."""

from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.services.webhooks import DeliveryOutcome
    from reclaim.store.webhooks import WebhookRecord


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="webhook",
        help=_(
            "Push new and withdrawn bank entries to platforms' addresses, signed, "
            "as GET /v1/bank/entries shows them."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")

    @group.command(
        "add",
        help=_("Subscribe an address to the bank's changes. Its secret is shown once only."),
    )
    def add_command(
        url: str = typer.Argument(
            ..., metavar="URL", help=_("Where to deliver: https://..., or http://localhost for testing.")
        ),
        name: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--name", metavar="TEXT", help=_("Whose address it is, such as a platform's name.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.webhooks import add_webhook

        settings = load_settings()
        with opened_store(settings) as engine:
            added = add_webhook(engine, url, actor=settings.actor, name=name)
        if json_output:
            emit_json(added.to_json())
            return
        typer.echo(
            translate.format(
                "Added webhook {webhook_id} for {url}.",
                webhook_id=added.record.webhook_id,
                url=added.record.url,
            )
        )
        typer.echo(added.secret)
        typer.echo(
            translate("This is the only time the secret is shown: the receiver checks signatures with it.")
        )

    @group.command("list", help=_("List the webhooks and how their deliveries stand (never their secrets)."))
    def list_command(
        removed: bool = typer.Option(False, "--removed", help=_("Include removed webhooks.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.webhooks import all_webhooks

        with opened_store(load_settings()) as engine:
            records = all_webhooks(engine, include_removed=removed)
        if json_output:
            for record in records:
                emit_json(record.to_json())
            return
        if not records:
            typer.echo(translate("No webhooks yet. Add one with `reclaim webhook add URL`."))
        for record in records:
            typer.echo(_describe(translate, record))

    @group.command("remove", help=_("Stop deliveries to a webhook at once and forget its secret."))
    def remove_command(
        webhook_id: str = typer.Argument(
            ..., metavar="WEBHOOK_ID", help=_("The webhook's id, as `reclaim webhook list` shows it.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.webhooks import remove_webhook

        settings = load_settings()
        with opened_store(settings) as engine:
            record = remove_webhook(engine, webhook_id, actor=settings.actor)
        if json_output:
            emit_json(record.to_json())
            return
        typer.echo(translate.format("Removed webhook {webhook_id}.", webhook_id=record.webhook_id))

    @group.command(
        "deliver",
        help=_(
            "Deliver the due webhooks, every second until stopped; for when `reclaim serve` "
            "(which delivers them itself) does not run."
        ),
    )
    def deliver_command(
        once: bool = typer.Option(False, "--once", help=_("Deliver what is due once and exit (for cron).")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        import time

        from reclaim.services.webhook_dispatcher import dispatcher_id
        from reclaim.services.webhooks import deliver_due

        owner = dispatcher_id()
        with opened_store(load_settings()) as engine:
            try:
                while True:
                    for outcome in deliver_due(engine, owner=owner):
                        if json_output:
                            emit_json(outcome.to_json())
                        else:
                            typer.echo(_outcome_line(translate, outcome))
                    if once:
                        return
                    time.sleep(1.0)
            except KeyboardInterrupt:
                return

    app.add_typer(group)


def _describe(translate: Translator, record: "WebhookRecord") -> str:
    if not record.active:
        status = translate("removed")
    elif record.failures:
        status = translate.format(
            "failing ({failures} in a row, last: {error}); next attempt at {at}",
            failures=record.failures,
            error=record.last_error or "",
            at=record.next_attempt_at.isoformat(timespec="seconds"),
        )
    else:
        status = translate("up to date") if record.last_delivered_at else translate("nothing delivered yet")
    cursor = translate.format("cursor {cursor}", cursor=record.cursor)
    return "  ".join(
        part for part in (record.webhook_id, record.url, status, cursor, record.name or "") if part
    )


def _outcome_line(translate: Translator, outcome: "DeliveryOutcome") -> str:
    if outcome.error is not None:
        return translate.format(
            "{webhook_id}: delivery failed ({error}); next attempt at {at}.",
            webhook_id=outcome.webhook_id,
            error=outcome.error,
            at=outcome.retry_at.isoformat(timespec="seconds") if outcome.retry_at else "",
        )
    return translate.format(
        "{webhook_id}: delivered {count} entries.", webhook_id=outcome.webhook_id, count=outcome.delivered
    )
