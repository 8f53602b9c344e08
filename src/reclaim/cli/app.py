"""The command tree, built in the reader's language (help text is fixed when commands register)."""

import typer

from reclaim import __version__
from reclaim.cli import backup, banks, cases, demo, evidence, hashing, matching, protect, setup
from reclaim.cli.framework_messages import translate_framework
from reclaim.locale import Translator


def build_app(translate: Translator) -> typer.Typer:
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

    setup.register(app, translate)
    hashing.register(app, translate)
    cases.register(app, translate)
    protect.register(app, translate)
    matching.register(app, translate)
    banks.register(app, translate)
    evidence.register(app, translate)
    backup.register(app, translate)
    demo.register(app, translate)
    return app
