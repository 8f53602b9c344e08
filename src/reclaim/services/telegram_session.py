"""Her Telegram login for `reclaim watch telegram`, kept sealed in the vault and nowhere else.

A Telethon session string is a full login to her account: whoever holds it reads her chats.
So it is never written in the clear. Telethon's default session is a plaintext SQLite
``.session`` file beside the program; we use a StringSession instead, and keep its string in
the vault under ``RECLAIM_HOME/vault/telegram-session/``: AES-256-GCM under a key wrapped by
her passphrase, like a case's captures, and in backups only as that ciphertext. The folder
cannot be taken for a case's: case ids are eight characters without a hyphen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from reclaim.errors import N_

if TYPE_CHECKING:
    from reclaim.evidence.vault import Vault

SESSION_SCOPE: Final = "telegram-session"
_SESSION_NAME: Final = "session"


def saved_session(vault: Vault) -> str | None:
    """The session saved by an earlier login, or None when she has not logged in yet."""
    from reclaim.errors import VaultLockedError

    if not vault.contains(SESSION_SCOPE, _SESSION_NAME):
        return None
    try:
        return vault.load(SESSION_SCOPE, _SESSION_NAME).decode("ascii")
    except VaultLockedError:
        raise VaultLockedError(N_("The passphrase does not open the saved Telegram login.")) from None


def save_session(vault: Vault, session: str) -> None:
    """Seal the session string in the vault, replacing an earlier one."""
    vault.store(SESSION_SCOPE, session.encode("ascii"), name=_SESSION_NAME)
