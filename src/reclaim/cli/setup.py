"""``reclaim init``: create RECLAIM_HOME with its database, signing key and vault."""

import typer

from reclaim.cli.output import emit_json
from reclaim.config import load_settings
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "init",
        help=_(
            "Create the Reclaim home (RECLAIM_HOME, default ~/.reclaim): database, signing key and "
            "encrypted vault. Running it again changes nothing."
        ),
    )
    def init_command(
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.services.home import initialize_home

        status = initialize_home(load_settings())
        if json_output:
            emit_json(status.to_json())
            return
        if status.home_created or status.database_created or status.key_created:
            typer.echo(translate.format("Created the Reclaim home in {home}.", home=status.home))
        else:
            typer.echo(translate.format("The Reclaim home in {home} was already set up.", home=status.home))
        typer.echo(translate.format("Database: {url}", url=status.database_url))
        typer.echo(
            translate.format("Signing key fingerprint: {fingerprint}", fingerprint=status.key_fingerprint)
        )
