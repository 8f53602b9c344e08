"""Every error a person may read: a message and a hint, both translatable.

Library code raises these with English message ids marked by ``N_``; the edge (CLI, API,
web) translates them with the reader's catalog, so the core holds no language state.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for the catalogs without translating it here."""
    return message


class ReclaimError(Exception):
    """An error with a message for people and a hint on what to do next."""

    exit_code = 1
    default_hint = N_("Run the command with --debug to see the details.")

    def __init__(self, message: str, hint: str | None = None, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        self.params = params


class UserInputError(ReclaimError):
    """Something the user gave us (a path, a value, an option) is not usable."""

    default_hint = N_("Check the value and try again.")


class IdentifierError(UserInputError):
    """A phone number, ID number, e-mail address, handle or name cannot be read as one."""

    default_hint = N_("Check the value; a phone number outside China needs its country code, like +44.")


class MediaError(ReclaimError):
    """A file cannot be decoded safely as an image or a video."""

    default_hint = N_("Skip this file or check that it opens in a photo or video viewer.")


class MediaLimitError(MediaError):
    """A file is larger, has more pixels or runs longer than the configured limits allow."""

    default_hint = N_("Raise the limit in the settings only if you trust the file.")


class StorageError(ReclaimError):
    """The database cannot be reached, created or migrated."""

    default_hint = N_("Check RECLAIM_DATABASE_URL and that the database server is running.")


class NotInitializedError(ReclaimError):
    """RECLAIM_HOME has not been set up yet."""

    default_hint = N_("Run `reclaim init` first.")


class VerificationError(ReclaimError):
    """Evidence did not verify; the exit code tells scripts apart from user errors."""

    exit_code = 3
    default_hint = N_("Do not rely on this material; ask the sender for the original bundle.")


class NotAuthenticatedError(ReclaimError):
    """An HTTP request came without a token, or with one that is unknown, expired or revoked."""

    default_hint = N_(
        "Send a valid token as `Authorization: Bearer TOKEN`; `reclaim token create` makes one."
    )


class PermissionDeniedError(ReclaimError):
    """A valid token asked for something outside its role."""

    default_hint = N_("Ask the installation's administrator for a token with the right role.")


class NotOfferedError(ReclaimError):
    """A route kept for compatibility whose action Reclaim does not take this way (HTTP 501)."""

    default_hint = N_("docs/api.md says what to use instead.")


class NotFoundError(UserInputError):
    """The thing a request names does not exist, or is not the caller's to see (HTTP 404)."""


class VaultLockedError(ReclaimError):
    """The passphrase does not open the case's key."""

    default_hint = N_("Check RECLAIM_PASSPHRASE or type the passphrase again.")


class VaultUnavailableError(ReclaimError):
    """The server was started without the vault passphrase, so nothing sealed can be read or written."""

    default_hint = N_(
        "Set RECLAIM_PASSPHRASE in the server's environment and restart it; "
        "a passphrase is never taken in a request."
    )
