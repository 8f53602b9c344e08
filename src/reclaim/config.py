"""Settings, read once from the environment and passed down; nothing else reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reclaim.errors import N_, UserInputError


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """What a file may be before we refuse to decode it (decompression bombs, endless videos)."""

    max_file_bytes: int = 2 * 1024**3
    # A 200-megapixel phone photo (Samsung HP2 sensor) still passes; a PNG bomb does not.
    max_image_pixels: int = 200_000_000
    max_video_seconds: float = 4 * 3600.0
    max_video_pixels: int = 7680 * 4320


@dataclass(frozen=True, slots=True)
class FloodLimit:
    """When an entry has matched more uploads than a private photo could: it is quarantined.

    A meme or stock photo slipped into the bank matches thousands of a platform's uploads a
    day; a leaked private photo, even one spreading fast, is re-uploaded tens or hundreds of
    times. The default sits between the two; a large platform may raise it.
    """

    matches: int = 500
    hours: int = 24


@dataclass(frozen=True, slots=True)
class TelegramCredentials:
    """The user's own Telegram app (RECLAIM_TELEGRAM_API_ID, _API_HASH) and login (_SESSION).

    None means ask (or, for the session, use the one saved in the vault). The id is kept as
    typed and checked by the command that uses it, so a bad value breaks only that command.
    Kept out of repr and logs: the session string is a full login to her account.
    """

    api_id: str | None = None
    api_hash: str | None = field(default=None, repr=False)
    session: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    database_url: str
    limits: MediaLimits = field(default_factory=MediaLimits)
    # Who the audit trail and bank provenance name for this person's commands (RECLAIM_ACTOR).
    actor: str = "local-user"
    # Opens the evidence vault (RECLAIM_PASSPHRASE); None means ask. Kept out of repr and logs.
    passphrase: str | None = field(default=None, repr=False)
    telegram: TelegramCredentials = field(default_factory=TelegramCredentials, repr=False)
    flood: FloodLimit = field(default_factory=FloodLimit)
    # The web app's cookies carry Secure unless RECLAIM_SECURE_COOKIES=0 (tests on http://127.0.0.1).
    secure_cookies: bool = True

    @property
    def signing_key_path(self) -> Path:
        return self.home / "keys" / "signing-ed25519.pem"

    @property
    def vault_path(self) -> Path:
        return self.home / "vault"

    @property
    def database_path(self) -> Path:
        return self.home / "reclaim.sqlite3"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from RECLAIM_HOME, _DATABASE_URL, _PASSPHRASE, the _MAX_* limits, _FLOOD_* and _TELEGRAM_*."""
    env = os.environ if environ is None else environ
    home = Path(env.get("RECLAIM_HOME") or Path.home() / ".reclaim").expanduser()
    database_url = env.get("RECLAIM_DATABASE_URL") or f"sqlite:///{home / 'reclaim.sqlite3'}"
    defaults = MediaLimits()
    limits = MediaLimits(
        max_file_bytes=_int_setting(env, "RECLAIM_MAX_FILE_BYTES", defaults.max_file_bytes),
        max_image_pixels=_int_setting(env, "RECLAIM_MAX_IMAGE_PIXELS", defaults.max_image_pixels),
        max_video_seconds=float(
            _int_setting(env, "RECLAIM_MAX_VIDEO_SECONDS", int(defaults.max_video_seconds))
        ),
        max_video_pixels=_int_setting(env, "RECLAIM_MAX_VIDEO_PIXELS", defaults.max_video_pixels),
    )
    actor = env.get("RECLAIM_ACTOR") or _login_name()
    passphrase = env.get("RECLAIM_PASSPHRASE") or None
    telegram = TelegramCredentials(
        api_id=env.get("RECLAIM_TELEGRAM_API_ID", "").strip() or None,
        api_hash=env.get("RECLAIM_TELEGRAM_API_HASH", "").strip() or None,
        session=env.get("RECLAIM_TELEGRAM_SESSION", "").strip() or None,
    )
    flood_defaults = FloodLimit()
    flood = FloodLimit(
        matches=_int_setting(env, "RECLAIM_FLOOD_MATCHES", flood_defaults.matches),
        hours=_int_setting(env, "RECLAIM_FLOOD_HOURS", flood_defaults.hours),
    )
    return Settings(
        home=home,
        database_url=database_url,
        limits=limits,
        actor=actor,
        passphrase=passphrase,
        telegram=telegram,
        flood=flood,
        secure_cookies=env.get("RECLAIM_SECURE_COOKIES", "1").strip() != "0",
    )


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry
        return "local-user"


def _int_setting(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise UserInputError(
            N_("{name} must be a whole number, not {value!r}."), name=name, value=raw
        ) from None
    if value <= 0:
        raise UserInputError(N_("{name} must be greater than zero."), name=name)
    return value
