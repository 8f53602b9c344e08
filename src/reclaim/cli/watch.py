"""``reclaim watch telegram CHANNEL``: scan a live channel's posts as they appear (extra [telegram]).

Her own Telegram account reads the channel, with her own API id and hash (my.telegram.org).
The login is a Telethon StringSession: from RECLAIM_TELEGRAM_SESSION, or made by logging in
here once and kept sealed in the vault (services/telegram_session.py); never a .session file,
never printed.
"""

import asyncio
import contextlib
import logging
import re
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json, error_line
from reclaim.cli.scan_report import echo_findings
from reclaim.cli.store_access import opened_store
from reclaim.config import Settings, load_settings
from reclaim.errors import N_, ReclaimError, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.services.scan import ScanSummary
    from reclaim.services.watch import WatchOptions, WatchSummary
    from reclaim.sources.telegram_live import ChannelRef, LiveChannel, LoginClient

_API_HASH = re.compile(r"[0-9a-fA-F]{32}")
# Exit status of a command stopped by a second Ctrl-C, as shells report SIGINT.
_INTERRUPTED = 130


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="watch",
        help=_(
            "Watch live channels for her photos, videos and personal details; hits wait in the "
            "review queue. Media is read in memory and only hashes are kept."
        ),
        no_args_is_help=True,
    )

    @group.command(
        "telegram",
        help=_(
            "Scan a Telegram channel's posts with your own Telegram account: first those since the "
            "last run, then new ones as they appear. Needs Telethon, which Reclaim's telegram extra installs."
        ),
    )
    def telegram_command(
        channel: str = typer.Argument(
            ..., metavar="CHANNEL", help=_("The channel: @name, a t.me link, or its numeric id.")
        ),
        once: bool = typer.Option(
            False, "--once", help=_("Read the posts since the last run, then stop instead of watching.")
        ),
        interval: int = typer.Option(
            60, "--interval", min=1, metavar="SECONDS", help=_("Seconds between checks for new posts.")
        ),
        limit: Optional[int] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--limit",
            min=1,
            metavar="N",
            help=_("Read at most N messages, oldest first from where the last run stopped, then stop."),
        ),
        json_output: bool = typer.Option(
            False, "--json", help=_("Print one JSON summary line per scanned batch and nothing else.")
        ),
    ) -> None:
        _require_telethon()
        from reclaim.services.watch import WatchOptions
        from reclaim.sources.telegram_live import parse_channel_ref

        ref = parse_channel_ref(channel)
        options = WatchOptions(follow=not once, interval=float(interval), limit=limit)
        settings = load_settings()
        with opened_store(settings) as engine:
            try:
                summary = asyncio.run(_watch(translate, settings, engine, ref, options, json_output))
            except KeyboardInterrupt:
                typer.echo(translate("Stopped at once."), err=True)
                raise typer.Exit(_INTERRUPTED) from None
        if not json_output:
            _report(translate, summary)

    app.add_typer(group)


def _require_telethon() -> None:
    try:
        import telethon  # noqa: F401
    except ImportError:
        raise UserInputError(
            N_("Watching live channels needs Telethon, which is not installed."),
            hint=N_("Install it with: pip install 'reclaim[telegram]'"),
        ) from None


async def _watch(
    translate: Translator,
    settings: Settings,
    engine: "Engine",
    ref: "ChannelRef",
    options: "WatchOptions",
    json_output: bool,
) -> "WatchSummary":
    from reclaim.services.watch import watch_channel

    # Telethon logs its retries and reconnects in English, some with a traceback; the watch says
    # what went wrong itself, in her language. Its logs never hold the session either way.
    logging.getLogger("telethon").setLevel(logging.CRITICAL)
    stop = asyncio.Event()
    client = await _logged_in_client(translate, settings)
    try:
        with _stop_on_interrupt(translate, stop):
            listener = _Listener(translate, json_output)
            return await watch_channel(
                engine, settings, client, ref, options=options, listener=listener, stop=stop
            )
    finally:
        await client.disconnect()


async def _logged_in_client(translate: Translator, settings: Settings) -> "LoginClient":
    """A connected client, logged in with the session from the environment or the vault."""
    from reclaim.sources import telegram_live
    from reclaim.sources.telegram_live import telegram_errors

    api_id, api_hash = _api_credentials(translate, settings)
    if settings.telegram.session is not None:
        session = telegram_live.check_session(settings.telegram.session)
        client = telegram_live.telegram_client(api_id, api_hash, session)
        async with telegram_errors():
            await client.connect()
            authorized = await client.is_user_authorized()
        if not authorized:
            await client.disconnect()
            raise UserInputError(
                N_("The session in RECLAIM_TELEGRAM_SESSION is not logged in to Telegram."),
                hint=N_("Unset RECLAIM_TELEGRAM_SESSION to log in with the code Telegram sends."),
            )
        return client
    from reclaim.cli.passphrase import open_vault
    from reclaim.services.telegram_session import save_session, saved_session

    vault = open_vault(translate, settings)
    saved = saved_session(vault)
    client = telegram_live.telegram_client(api_id, api_hash, saved)
    prompts = _LoginPrompts(translate)
    try:
        async with telegram_errors():
            await client.start(phone=prompts.phone, password=prompts.password, code_callback=prompts.code)
    except RuntimeError:  # Telethon gives up after three wrong codes
        await client.disconnect()
        raise UserInputError(
            N_("Telegram did not accept the login code."),
            hint=N_("Run the command again and type the newest code Telegram sent."),
        ) from None
    except BaseException:
        await client.disconnect()
        raise
    session = str(client.session.save())
    if session != saved:
        save_session(vault, session)
        typer.echo(translate("Logged in. The login is kept encrypted in the vault."), err=True)
    return client


def _api_credentials(translate: Translator, settings: Settings) -> tuple[int, str]:
    """Her app's API id and hash: from RECLAIM_TELEGRAM_API_ID/_HASH, or typed (the hash hidden)."""
    raw_id = settings.telegram.api_id or _ask(translate, translate("Telegram API id"), hide=False)
    if not raw_id.strip().isdigit() or int(raw_id) <= 0:
        raise UserInputError(
            N_("The Telegram API id must be a number, not {value!r}."),
            hint=N_("Copy the api_id of your app at https://my.telegram.org (API development tools)."),
            value=raw_id,
        )
    api_hash = settings.telegram.api_hash or _ask(translate, translate("Telegram API hash"), hide=True)
    if not _API_HASH.fullmatch(api_hash.strip()):
        raise UserInputError(
            N_("The Telegram API hash must be 32 hexadecimal characters."),
            hint=N_("Copy the api_hash of your app at https://my.telegram.org (API development tools)."),
        )
    return int(raw_id), api_hash.strip()


def _ask(translate: Translator, prompt: str, *, hide: bool) -> str:
    if not sys.stdin.isatty():
        raise UserInputError(
            N_("Your Telegram API id and hash are needed."),
            hint=N_(
                "Set RECLAIM_TELEGRAM_API_ID and RECLAIM_TELEGRAM_API_HASH (your app at "
                "https://my.telegram.org), or run the command in a terminal to type them."
            ),
        )
    value: str = typer.prompt(prompt, hide_input=hide)
    return value


class _LoginPrompts:
    """What Telethon's ``client.start`` asks for on the first login: phone, code, 2FA password."""

    def __init__(self, translate: Translator) -> None:
        self.translate = translate
        self.codes_asked = 0

    def phone(self) -> str:
        self._need_terminal()
        typer.echo(
            self.translate(
                "Log in to Telegram with your own account. Reclaim keeps the login encrypted in "
                "the vault and only reads the channels you name."
            ),
            err=True,
        )
        return self._prompt(self.translate("Phone number, with its country code (such as +86 138 1234 5678)"))

    def code(self) -> str:
        self.codes_asked += 1
        if self.codes_asked > 1:
            typer.echo(self.translate("That code was not accepted; type the newest one."), err=True)
        return self._prompt(self.translate("The login code Telegram sent you"))

    def password(self) -> str:
        return self._prompt(self.translate("Your Telegram two-step verification password"), hide=True)

    @staticmethod
    def _prompt(text: str, *, hide: bool = False) -> str:
        value: str = typer.prompt(text, hide_input=hide)
        return value.strip()

    @staticmethod
    def _need_terminal() -> None:
        if not sys.stdin.isatty():
            raise UserInputError(
                N_("Logging in to Telegram needs a terminal, to type the code Telegram sends."),
                hint=N_(
                    "Run the command once in a terminal to log in, or set RECLAIM_TELEGRAM_SESSION "
                    "to a Telethon StringSession."
                ),
            )


@contextlib.contextmanager
def _stop_on_interrupt(translate: Translator, stop: asyncio.Event) -> Iterator[None]:
    """The first Ctrl-C stops the watch after the batch in hand; a second one stops it at once."""
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGINT)

    def interrupted(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        signal.signal(signal.SIGINT, signal.default_int_handler)
        typer.echo(
            translate("Stopping after the current batch; press Ctrl-C again to stop at once."), err=True
        )
        loop.call_soon_threadsafe(stop.set)

    signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Listener:
    """Tells the person what the watch does: text on stdout and stderr, or JSON lines only."""

    def __init__(self, translate: Translator, json_output: bool) -> None:
        self.translate = translate
        self.json_output = json_output

    def started(self, channel: "LiveChannel", after: int) -> None:
        if self.json_output:
            return
        title = channel.channel.title
        if after:
            typer.echo(
                self.translate.format(
                    "Reading {title} after message {after}, where the last scan stopped.",
                    title=title,
                    after=after,
                )
            )
        else:
            typer.echo(self.translate.format("Reading {title} from its first post.", title=title))

    def scanned(self, summary: "ScanSummary") -> None:
        for failure in summary.failures:
            typer.echo(error_line(self.translate, failure.error), err=True)
        if self.json_output:
            emit_json(summary.to_json())
            return
        typer.echo(
            self.translate.format(
                "Messages {first} to {last}: {media} photos and videos hashed, {texts} texts read, "
                "{queued} new leads to review.",
                first=summary.extra.get("first_message_id"),
                last=summary.extra.get("last_message_id"),
                media=summary.media,
                texts=summary.texts,
                queued=summary.queued,
            )
        )

    def following(self, interval: float) -> None:
        if not self.json_output:
            typer.echo(
                self.translate.plural(
                    "Watching for new posts every {count} second; press Ctrl-C to stop.",
                    "Watching for new posts every {count} seconds; press Ctrl-C to stop.",
                    round(interval),
                )
            )

    def waiting(self, seconds: int) -> None:
        typer.echo(
            self.translate.plural(
                "Telegram asks to wait {count} second before the next request; waiting.",
                "Telegram asks to wait {count} seconds before the next request; waiting.",
                seconds,
            ),
            err=True,
        )

    def connection_lost(self, error: ReclaimError, retry_in: float) -> None:
        typer.echo(
            self.translate.plural(
                "warning: {problem} Trying again in {count} second.",
                "warning: {problem} Trying again in {count} seconds.",
                round(retry_in),
                problem=self.translate.format(error.message, **error.params),
            ),
            err=True,
        )


def _report(translate: Translator, summary: "WatchSummary") -> None:
    if summary.channel is None:
        typer.echo(translate("Stopped before any post was read."))
        return
    if summary.messages == 0:
        typer.echo(translate.format("No new posts in {title}.", title=summary.channel.channel.title))
    else:
        typer.echo(
            translate.format(
                "Read {messages} messages, up to message {last}: {media} photos and videos hashed, "
                "{texts} texts read.",
                messages=summary.messages,
                last=summary.last_message_id,
                media=summary.media,
                texts=summary.texts,
            )
        )
    reasons = {
        "over_limit": translate("over the size limit, not downloaded"),
        "not_downloaded": translate("Telegram did not send the file"),
        "missing": translate("no longer on Telegram"),
        "unreadable": translate("could not be read"),
    }
    echo_findings(
        translate,
        skipped=summary.skipped,
        reasons=reasons,
        media_hits=summary.media_hits,
        identifier_hits=summary.identifier_hits,
        unassigned_hits=summary.unassigned_hits,
        queued=summary.queued,
    )
    if summary.stopped:
        typer.echo(translate("Stopped. Run the command again to go on after the last message read."))
    if summary.queued:
        typer.echo(translate("Next: reclaim review list"))
