"""Live Telegram channels through Telethon (extra ``[telegram]``): posts as the items a scan reads.

A post becomes a FoundItem keyed exactly as an export's message (``telegram:<channel id>:<id>``,
ids in export_items' form), so a post seen in an export and live is one item: hashed once,
queued once. Photos and videos
are downloaded into memory only (``download_media(file=bytes)``), never to disk; other media
(voice, files, polls) and files over the size limit are not downloaded at all.

Telethon stays behind ``ChannelClient``, the few calls a watch makes. They are a subset of
Telethon's ``TelegramClient``, so the real client fits as it is, and tests pass a fake client
that serves real Telethon messages. Telethon's errors are turned into ours here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Final, Literal, Protocol

from telethon import errors, types

from reclaim.config import MediaLimits
from reclaim.errors import N_, ReclaimError, UserInputError
from reclaim.sources.export_items import PLATFORM, peer_id
from reclaim.sources.found import FoundChannel, FoundItem, SkipReason

# Telegram usernames: 5-32 letters, digits and underscores, starting with a letter (a few old
# ones are 4 long). Nothing else can be a username, so a bare number is an id.
_USERNAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_LINK: Final = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/([^?#]*)(?:[?#].*)?", re.I
)
# Bare channel ids, also as the Bot API (-100...) and our own channel ids ("channel...") write them.
_CHANNEL_ID: Final = re.compile(r"(?:-100|channel)?(\d{1,20})")
_MEDIA_MIME_PREFIXES: Final = ("image/", "video/")

MediaPlan = Literal["photo", "document", "over_limit", "missing"]


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """The channel as she named it: a public username, a numeric channel id, or an invite link."""

    username: str | None = None
    channel_id: int | None = None
    invite: str | None = None

    def __str__(self) -> str:
        if self.username is not None:
            return f"@{self.username}"
        if self.channel_id is not None:
            return str(self.channel_id)
        return self.invite or ""


@dataclass(frozen=True, slots=True)
class LiveChannel:
    """A resolved channel: its id and title as items carry them, and Telethon's entity for it."""

    channel: FoundChannel
    username: str | None
    entity: Any  # Telethon's Channel or Chat, passed back to the client as it came

    @property
    def bare_id(self) -> int:
        return int(self.entity.id)


class ChannelClient(Protocol):
    """What a watch calls on Telethon's TelegramClient (and a test's fake client)."""

    async def get_entity(self, entity: Any, /) -> Any: ...

    def iter_dialogs(self) -> AsyncIterator[Any]: ...

    def iter_messages(
        self, entity: Any, /, limit: int | None = None, *, min_id: int = 0, reverse: bool = False
    ) -> AsyncIterator[Any]: ...

    async def download_media(self, message: Any, /, file: Any = None) -> Any: ...


class LoginClient(ChannelClient, Protocol):
    """The client with the calls that log her in; ``session`` is a Telethon StringSession."""

    session: Any

    async def connect(self) -> None: ...

    async def is_user_authorized(self) -> bool: ...

    async def start(
        self, phone: Callable[[], str], password: Callable[[], str], *, code_callback: Callable[[], str]
    ) -> Any: ...

    async def disconnect(self) -> None: ...


class TelegramWait(Exception):  # noqa: N818 - not an error: Telegram asks us to slow down
    """Telegram asks for a pause (a flood wait) before the next request."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


class TelegramUnreachableError(ReclaimError):
    """Telegram cannot be reached: no network, or it is blocked on this network."""

    default_hint = N_(
        "Check the internet connection; where Telegram is blocked, connect through a VPN first. "
        "Run the command again: it goes on after the last message it read."
    )


def parse_channel_ref(text: str) -> ChannelRef:
    """``@name``, ``name``, a t.me link (``t.me/name/5``, ``t.me/c/123/5``, ``t.me/+hash``) or an id."""
    value = text.strip()
    link = _LINK.fullmatch(value)
    if link is not None:
        return _ref_from_link([part for part in link[1].split("/") if part], text)
    # Ids first: "channel1741241258", as exports write a channel's id, is no username.
    number = _CHANNEL_ID.fullmatch(value)
    if number is not None:
        return ChannelRef(channel_id=int(number[1]))
    bare = value.removeprefix("@")
    if _USERNAME.fullmatch(bare):
        return ChannelRef(username=bare)
    raise _not_a_channel(text)


def _ref_from_link(parts: list[str], text: str) -> ChannelRef:
    head = parts[0] if parts else ""
    if head.startswith("+") and len(head) > 1:
        return ChannelRef(invite=f"https://t.me/{head}")
    if head == "joinchat" and len(parts) > 1:
        return ChannelRef(invite=f"https://t.me/+{parts[1]}")
    if head == "c" and len(parts) > 1 and parts[1].isdigit():
        return ChannelRef(channel_id=int(parts[1]))
    if head == "s" and len(parts) > 1:  # the web preview, t.me/s/name
        head = parts[1]
    if _USERNAME.fullmatch(head):
        return ChannelRef(username=head)
    raise _not_a_channel(text)


def _not_a_channel(text: str) -> UserInputError:
    return UserInputError(
        N_("{channel} is not a Telegram channel name, link or id."),
        hint=N_("Give it as @name, as https://t.me/name, or as its numeric id (t.me/c/ID/...)."),
        channel=text,
    )


async def resolve_channel(client: ChannelClient, ref: ChannelRef) -> LiveChannel:
    """The channel or group ``ref`` names, as her account sees it."""
    async with telegram_errors():
        try:
            entity = await _entity(client, ref)
        except (ValueError, TypeError, errors.BadRequestError) as error:
            # Telethon says ValueError for a name nobody has; Telegram USERNAME_INVALID,
            # CHANNEL_PRIVATE or INVITE_HASH_EXPIRED for the rest: to her, all the same.
            raise UserInputError(
                N_("Telegram finds no channel {channel} that this account can read."),
                hint=N_(
                    "Check the name. For a private channel, join it in Telegram first, then give its "
                    "t.me/c/... link or its numeric id."
                ),
                channel=str(ref),
            ) from error
    if not isinstance(entity, (types.Channel, types.Chat)):
        raise UserInputError(
            N_("{channel} is a person's account, not a channel or a group."),
            hint=N_("Give the name or link of the channel where the posts appear."),
            channel=str(ref),
        )
    kind = "channel" if isinstance(entity, types.Channel) else "chat"  # supergroups are channels
    peer = _peer(kind, entity.id)
    return LiveChannel(FoundChannel(peer, entity.title or peer), _username(entity), entity)


async def _entity(client: ChannelClient, ref: ChannelRef) -> Any:
    if ref.username is not None:
        return await client.get_entity(ref.username)
    if ref.invite is not None:
        return await client.get_entity(ref.invite)
    assert ref.channel_id is not None
    try:
        return await client.get_entity(types.PeerChannel(ref.channel_id))
    except ValueError:
        # A new session knows no channel by id alone (Telegram needs its access hash),
        # but her own chats list carries it for every channel she has joined.
        async for dialog in client.iter_dialogs():
            entity = getattr(dialog, "entity", None)
            if isinstance(entity, types.Channel) and entity.id == ref.channel_id:
                return entity
        raise


def _username(entity: Any) -> str | None:
    if getattr(entity, "username", None):
        return str(entity.username)
    # Channels with several names list them here instead, the first active one being shown.
    for name in getattr(entity, "usernames", None) or ():
        if name.active:
            return str(name.username)
    return None


async def read_items(
    client: ChannelClient, channel: LiveChannel, limits: MediaLimits, *, after: int, limit: int | None
) -> AsyncGenerator[tuple[int, FoundItem | None]]:
    """Each message after message ``after``, oldest first, with its item (None: a service message).

    Raises TelegramWait when Telegram asks for a pause: call again with the last id received.
    """
    async with telegram_errors():
        messages = client.iter_messages(channel.entity, limit, min_id=after, reverse=True)
        async for message in messages:
            if not isinstance(message, types.Message):
                # Joins, pins and title changes (MessageService) carry no content.
                yield int(message.id), None
                continue
            plan = media_plan(message, limits)
            media: bytes | None = None
            skipped: SkipReason | None = plan if plan in ("over_limit", "missing") else None
            if plan in ("photo", "document"):
                media = await _download(client, message)
                skipped = None if media else "not_downloaded"
            yield int(message.id), found_item(channel, message, media_bytes=media, skipped_media=skipped)


async def _download(client: ChannelClient, message: Any) -> bytes | None:
    try:
        data = await client.download_media(message, file=bytes)
    except (errors.BadRequestError, errors.ForbiddenError):
        # An expired or withdrawn file: the post is read without it, and counted.
        return None
    return data if isinstance(data, bytes) and data else None


def media_plan(message: Any, limits: MediaLimits) -> MediaPlan | None:
    """What to do with a message's media: download it, skip it (and why), or None (nothing to read)."""
    media = message.media
    if isinstance(media, types.MessageMediaPhoto):
        return "photo" if isinstance(media.photo, types.Photo) else "missing"
    if isinstance(media, types.MessageMediaDocument):
        document = media.document
        if not isinstance(document, types.Document):
            return "missing"  # a self-destructing file whose time ran out
        if not str(document.mime_type or "").lower().startswith(_MEDIA_MIME_PREFIXES):
            return None  # voice, music, PDFs, archives: not photos or videos
        # Checked before downloading: a 4 GB file is never fetched just to be refused.
        return "over_limit" if document.size > limits.max_file_bytes else "document"
    return None


def found_item(
    channel: LiveChannel,
    message: Any,
    *,
    media_bytes: bytes | None = None,
    skipped_media: SkipReason | None = None,
) -> FoundItem:
    """The item a scan reads for one Telethon message of ``channel``."""
    text = str(message.message or "")
    return FoundItem(
        key=f"{PLATFORM}:{channel.channel.channel_id}:{message.id}",
        platform=PLATFORM,
        channel=channel.channel,
        message_id=int(message.id),
        url=message_url(channel, int(message.id)),
        posted_at=message.date.astimezone(UTC) if message.date is not None else None,
        text=text,
        links=entity_links(text, message.entities or ()),
        forwarded_from_id=forwarded_from_id(message.fwd_from),
        media_bytes=media_bytes,
        skipped_media=skipped_media,
    )


def message_url(channel: LiveChannel, message_id: int) -> str | None:
    """t.me/<username>/<id> for a public channel, t.me/c/<id>/<id> for a private one."""
    if channel.username:
        return f"https://t.me/{channel.username}/{message_id}"
    if isinstance(channel.entity, types.Channel):
        return f"https://t.me/c/{channel.bare_id}/{message_id}"
    return None  # a basic group has no message links


def entity_links(text: str, entities: Any) -> tuple[str, ...]:
    """The links a message's formatting carries: hidden ones (text links) and written-out URLs."""
    links: list[str] = []
    for entity in entities:
        if isinstance(entity, types.MessageEntityTextUrl):
            links.append(str(entity.url))
        elif isinstance(entity, types.MessageEntityUrl):
            links.append(_utf16_slice(text, entity.offset, entity.length))
    return tuple(links)


def _utf16_slice(text: str, offset: int, length: int) -> str:
    # Telegram counts entity offsets in UTF-16 code units: an emoji before a link is two.
    encoded = text.encode("utf-16-le")
    return encoded[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


def forwarded_from_id(header: Any) -> str | None:
    """The peer a forward came from, in the form channels carry (a channel's bare number, "user…")."""
    peer = getattr(header, "from_id", None)
    if isinstance(peer, types.PeerChannel):
        return _peer("channel", peer.channel_id)
    if isinstance(peer, types.PeerUser):
        return _peer("user", peer.user_id)
    if isinstance(peer, types.PeerChat):
        return _peer("chat", peer.chat_id)
    return None  # hidden by the sender's privacy settings: only a name is shown


def _peer(kind: str, number: int) -> str:
    # Through the export's own normalisation, so both sources name a peer alike.
    return peer_id(f"{kind}{number}") or f"{kind}{number}"


@contextlib.asynccontextmanager
async def telegram_errors() -> AsyncIterator[None]:
    """Telethon's exceptions, inside the block, as TelegramWait or a ReclaimError for people."""
    try:
        yield
    except errors.FloodError as error:
        raise TelegramWait(int(getattr(error, "seconds", 0) or 1)) from None
    except errors.UnauthorizedError as error:
        raise ReclaimError(
            N_("Telegram no longer accepts this login ({reason})."),
            hint=N_(
                "Log in again: unset RECLAIM_TELEGRAM_SESSION, or run the command in a terminal "
                "to type the code Telegram sends."
            ),
            reason=error.message,
        ) from None
    except errors.ChannelPrivateError:
        raise UserInputError(
            N_("The channel is private, or this account was removed from it."),
            hint=N_("Join the channel in Telegram with this account, then run the command again."),
        ) from None
    except errors.RPCError as error:
        raise ReclaimError(
            N_("Telegram refused the request ({reason})."),
            hint=N_("Wait a while and run the command again: it goes on after the last message read."),
            reason=error.message,
        ) from None
    except OSError as error:  # ConnectionError after Telethon's own retries, timeouts
        raise TelegramUnreachableError(
            N_("Telegram cannot be reached ({reason})."), reason=str(error) or type(error).__name__
        ) from None


def check_session(session: str) -> str:
    """``session`` if it is a Telethon StringSession; a UserInputError that never shows it otherwise."""
    from telethon.sessions import StringSession

    try:
        StringSession(session)
    except ValueError:
        raise UserInputError(
            N_("RECLAIM_TELEGRAM_SESSION is not a Telethon session string."),
            hint=N_("Unset it to log in with the code Telegram sends, or set it to a StringSession."),
        ) from None
    return session


def telegram_client(api_id: int, api_hash: str, session: str | None) -> LoginClient:
    """Telethon's client on a StringSession: the login lives in memory, never in a .session file."""
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    client: LoginClient = TelegramClient(
        StringSession(session),
        api_id,
        api_hash,
        # A watch polls the channel; it does not need Telegram's stream of updates.
        receive_updates=False,
        # Every flood wait comes back to us, so the watch can say it is waiting and for how long.
        flood_sleep_threshold=0,
    )
    return client
