"""Typer's and Click's own words (panel titles, usage errors) in the reader's language.

Both look their strings up at run time (Typer in module constants, Click through each
module's gettext ``_``); we point them at our catalog once, before any help is drawn.
"""

from __future__ import annotations

from typing import Final

from reclaim.errors import N_
from reclaim.locale import Translator

_RICH_UTILS_STRINGS: Final = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}


def translate_framework(translate: Translator) -> None:
    if translate.lang == "en":
        return  # the framework speaks English already; skip importing rich's help renderer
    translate_click(translate)
    try:
        from typer import rich_utils
    except ImportError:  # Typer without rich: plain help, nothing to translate
        return
    for name, message in _RICH_UTILS_STRINGS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, translate(message))


# Click's own messages (usage errors, the help option) that a person reads.
_CLICK_MESSAGES: Final = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Aborted!"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("default: {default}"),
)


def plural(singular: str, plural_form: str) -> tuple[str, str]:
    """Mark a singular/plural pair for the catalog, as ``translate.plural`` is marked."""
    return singular, plural_form


# Click's suggestion after an unknown command or option (click.exceptions, through ngettext).
_CLICK_PLURALS: Final = (plural("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),)


def translate_click(translate: Translator) -> None:
    """Click looks its messages up through each module's ``_``; point those at our catalog."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.types):
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translate.catalog.ngettext  # type: ignore[attr-defined]
