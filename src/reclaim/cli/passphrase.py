"""The vault passphrase: from RECLAIM_PASSPHRASE, or typed (hidden) when a person is at the terminal."""

import sys

import typer

from reclaim.config import Settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator


def ask_passphrase(translate: Translator, settings: Settings, *, confirm: bool = False) -> str:
    if settings.passphrase is not None:
        return settings.passphrase
    if not sys.stdin.isatty():
        raise UserInputError(
            N_("The vault passphrase is needed."),
            hint=N_("Set RECLAIM_PASSPHRASE, or run the command in a terminal to type it."),
        )
    value: str = typer.prompt(translate("Vault passphrase"), hide_input=True, confirmation_prompt=confirm)
    return value
