"""The command tree, built in the reader's language (help text is fixed when commands register)."""

import importlib
from typing import Final

import typer

from reclaim import __version__
from reclaim.cli.framework_messages import translate_framework
from reclaim.locale import Translator

# Each command's module, in the order `reclaim --help` lists them.
COMMAND_MODULES: Final = {
    "init": "setup",
    "hash": "hashing",
    "case": "cases",
    "protect": "protect",
    "identifiers": "identifiers",
    "match": "matching",
    "scan": "scan",
    "bulk": "bulk",
    "watch": "watch",
    "review": "review",
    "network": "network",
    "bank": "banks",
    "evidence": "evidence",
    "notice": "notice",
    "stats": "stats",
    "verify": "evidence",
    "report": "report",
    "withdraw": "withdraw",
    "backup": "backup",
    "restore": "backup",
    "token": "token",
    "export-page": "export_page",
    "account": "account",
    "webhook": "webhook",
    "serve": "serve",
    "demo": "demo",
}


def build_app(translate: Translator, command: str | None = None) -> typer.Typer:
    """The command tree; with ``command`` (a known command name) only that command's module.

    Loading one module instead of all keeps start-up short for the command that runs, which
    counts in `reclaim hash`'s speed; help, completion and unknown commands get the whole tree.
    """
    _ = translate
    translate_framework(translate)
    app = typer.Typer(
        name="reclaim",
        help=_(
            "Reclaim finds, documents and takes down intimate images shared without consent. "
            "Photos and videos never leave this computer: only their hashes are kept."
        ),
        no_args_is_help=True,
        add_completion=False,
        # Click already suggests a close command name; Typer's own suggestion would repeat it.
        suggest_commands=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def show_version(value: bool) -> None:
        if value:
            typer.echo(f"reclaim {__version__}")
            raise typer.Exit()

    @app.callback()
    def main_options(
        version: bool = typer.Option(
            False, "--version", callback=show_version, is_eager=True, help=_("Show the version and exit.")
        ),
        lang: str = typer.Option(
            "",
            "--lang",
            metavar="zh|en",
            help=_("Language of messages: zh or en (default: from the locale)."),
        ),
        debug: bool = typer.Option(False, "--debug", help=_("Show the full traceback when something fails.")),
    ) -> None:
        # --lang and --debug are read before the command tree is built (cli/main.py), so every
        # command accepts them; they are declared here only to appear in the help.
        del version, lang, debug

    modules = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for module in dict.fromkeys(modules):
        importlib.import_module(f"reclaim.cli.{module}").register(app, translate)
    return app
