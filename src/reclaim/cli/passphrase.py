"""The vault passphrase: from RECLAIM_PASSPHRASE, or typed (hidden) when a person is at the terminal."""

import sys
from typing import TYPE_CHECKING

import typer

from reclaim.config import Settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.evidence.vault import Vault


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


def open_vault(translate: Translator, settings: Settings) -> "Vault":
    """The vault, opened with the passphrase from the settings or typed at the terminal."""
    from reclaim.evidence.vault import Vault

    return Vault(settings.vault_path, ask_passphrase(translate, settings))
