"""A Telegram without a network: real Telethon channels, messages and media, served by a fake client.

The objects are Telethon's own (``telethon.tl.types``: Channel, Message, MessageMediaPhoto with a
Photo, MessageMediaDocument with a Document and its attributes, PeerChannel, MessageFwdHeader,
message entities); only the client is ours. It answers the calls a watch makes the way
Telethon's TelegramClient does (``iter_messages(min_id=..., reverse=True)`` oldest first,
``download_media(message, file=bytes)``), records them for the tests, and can be told to fail
as Telegram does: a flood wait, a dropped connection, a Ctrl-C in the middle of a download.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from telethon import errors
from telethon.crypto import AuthKey
from telethon.sessions import StringSession
from telethon.tl import types

START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


@dataclass
class FakeTelegram:
    """Channels and their posts, as Telegram's servers would hold them, and what clients asked."""

    channels: list[types.Channel] = field(default_factory=list)
    posts: dict[int, list[Any]] = field(default_factory=dict)  # channel id -> messages, oldest first
    media: dict[int, bytes] = field(default_factory=dict)  # photo or document id -> its bytes
    history_requests: list[int] = field(default_factory=list)  # min_id of each iter_messages
    downloads: list[int] = field(default_factory=list)  # message ids, each successful download
    download_files: list[Any] = field(default_factory=list)  # the ``file`` each download asked for
    clients: list[FakeClient] = field(default_factory=list)
    # One-off failures, by message id: raised (once) when that message's media is downloaded.
    fail_download: dict[int, BaseException] = field(default_factory=dict)
    interrupt_at_download: int | None = None  # send this process SIGINT while downloading it
    unreachable: bool = False  # every connection fails, as with no network
    two_factor: bool = True  # the account has a two-step verification password
    issued_sessions: set[str] = field(default_factory=set)  # logins this Telegram accepts
    _next_file_id: int = 1000

    def channel(self, channel_id: int, title: str, username: str | None = None) -> types.Channel:
        entity = types.Channel(
            id=channel_id,
            title=title,
            photo=types.ChatPhotoEmpty(),
            date=START - timedelta(days=30),
            broadcast=True,
            access_hash=channel_id * 7,
            username=username,
        )
        self.channels.append(entity)
        self.posts[channel_id] = []
        return entity

    def post(
        self,
        channel: types.Channel,
        text: str = "",
        *,
        photo: bytes | None = None,
        document: tuple[bytes, str, list[Any]] | None = None,  # bytes, mime type, attributes
        declared_size: int | None = None,  # a document's size as Telegram states it
        entities: list[Any] | None = None,
        forwarded_from: Any = None,  # a Peer
        service: bool = False,
    ) -> Any:
        posts = self.posts[channel.id]
        message_id = len(posts) + 1
        when = START + timedelta(minutes=10 * message_id)
        peer = types.PeerChannel(channel.id)
        if service:
            message: Any = types.MessageService(
                id=message_id, peer_id=peer, date=when, action=types.MessageActionChannelCreate(channel.title)
            )
        else:
            message = types.Message(
                id=message_id,
                peer_id=peer,
                date=when,
                message=text,
                post=True,
                media=self._media(photo, document, declared_size),
                entities=entities,
                fwd_from=types.MessageFwdHeader(date=when - timedelta(days=1), from_id=forwarded_from)
                if forwarded_from is not None
                else None,
            )
        posts.append(message)
        return message

    def _media(
        self, photo: bytes | None, document: tuple[bytes, str, list[Any]] | None, declared_size: int | None
    ) -> Any:
        self._next_file_id += 1
        file_id = self._next_file_id
        if photo is not None:
            self.media[file_id] = photo
            sizes = [types.PhotoSize(type="y", w=1280, h=960, size=len(photo))]
            return types.MessageMediaPhoto(
                photo=types.Photo(
                    id=file_id, access_hash=1, file_reference=b"", date=START, sizes=sizes, dc_id=2
                )
            )
        if document is not None:
            data, mime, attributes = document
            self.media[file_id] = data
            is_video = any(isinstance(a, types.DocumentAttributeVideo) for a in attributes)
            return types.MessageMediaDocument(
                document=types.Document(
                    id=file_id,
                    access_hash=1,
                    file_reference=b"",
                    date=START,
                    mime_type=mime,
                    size=declared_size if declared_size is not None else len(data),
                    dc_id=2,
                    attributes=attributes,
                ),
                video=is_video or None,
                round=any(getattr(a, "round_message", False) for a in attributes) or None,
            )
        return None

    def client(self, api_id: int, api_hash: str, session: str | None) -> FakeClient:
        """What ``telegram_live.telegram_client`` returns in the tests: a client of this Telegram."""
        client = FakeClient(self, api_id, api_hash, session)
        self.clients.append(client)
        return client


class FakeClient:
    """The calls of Telethon's TelegramClient that a watch makes, answered from a FakeTelegram."""

    def __init__(self, telegram: FakeTelegram, api_id: int, api_hash: str, session: str | None) -> None:
        self.telegram = telegram
        self.api_id, self.api_hash, self.given_session = api_id, api_hash, session
        self.session = StringSession(session)
        self.connected = False
        self.prompts: list[str] = []

    # Logging in

    async def connect(self) -> None:
        await asyncio.sleep(0)
        if self.telegram.unreachable:
            raise ConnectionError("Connection to Telegram failed 5 time(s)")
        self.connected = True

    async def is_user_authorized(self) -> bool:
        return self.session.save() in self.telegram.issued_sessions

    async def start(
        self, phone: Callable[[], str], password: Callable[[], str], *, code_callback: Callable[[], str]
    ) -> FakeClient:
        await self.connect()
        if await self.is_user_authorized():
            return self
        self.prompts.append(phone())
        self.prompts.append(code_callback())
        if self.telegram.two_factor:
            self.prompts.append(password())
        # Telegram hands out an auth key on a data centre: the session string that holds both.
        self.session.set_dc(2, "149.154.167.51", 443)
        self.session.auth_key = AuthKey(os.urandom(256))
        self.telegram.issued_sessions.add(self.session.save())
        return self

    async def disconnect(self) -> None:
        self.connected = False

    # Reading channels

    async def get_entity(self, entity: Any, /) -> Any:
        self._check_connected()
        await asyncio.sleep(0)
        if isinstance(entity, str):
            name = entity.removeprefix("@").lower()
            for channel in self.telegram.channels:
                if channel.username and channel.username.lower() == name:
                    return channel
            raise ValueError(f'No user has "{entity}" as username')
        # A fresh session knows no channel by its id alone: Telethon asks for its access hash.
        raise ValueError(f"Could not find the input entity for {entity!r}")

    async def iter_dialogs(self) -> AsyncIterator[Any]:
        for channel in self.telegram.channels:
            yield SimpleNamespace(entity=channel)

    async def iter_messages(
        self, entity: Any, /, limit: int | None = None, *, min_id: int = 0, reverse: bool = False
    ) -> AsyncIterator[Any]:
        self._check_connected()
        assert reverse, "a watch reads oldest first"
        self.telegram.history_requests.append(min_id)
        newer = [m for m in self.telegram.posts[entity.id] if m.id > min_id]
        for message in newer[:limit]:
            await asyncio.sleep(0)  # a page arrives from the network
            yield message

    async def download_media(self, message: Any, /, file: Any = None) -> Any:
        self._check_connected()
        self.telegram.download_files.append(file)
        await asyncio.sleep(0)
        if self.telegram.interrupt_at_download == message.id:
            self.telegram.interrupt_at_download = None
            os.kill(os.getpid(), signal.SIGINT)  # she presses Ctrl-C while it downloads
            await asyncio.sleep(0.05)
        failure = self.telegram.fail_download.pop(message.id, None)
        if failure is not None:
            raise failure
        media = message.media
        file_id = media.photo.id if isinstance(media, types.MessageMediaPhoto) else media.document.id
        self.telegram.downloads.append(message.id)
        assert file is bytes, "media is downloaded into memory only"
        return self.telegram.media[file_id]

    def _check_connected(self) -> None:
        assert self.connected, "the client is used before it connects"


def flood_wait(seconds: int) -> errors.FloodWaitError:
    return errors.FloodWaitError(request=None, capture=seconds)


def video_attributes(*, round_message: bool = False, seconds: float = 7.0) -> list[Any]:
    return [types.DocumentAttributeVideo(duration=seconds, w=480, h=720, round_message=round_message or None)]


def gif_attributes() -> list[Any]:
    """A "GIF" as Telegram sends it: a silent MP4 marked animated."""
    return [types.DocumentAttributeAnimated(), *video_attributes(seconds=4.0)]
