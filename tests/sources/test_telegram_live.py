"""Live channels: real Telethon messages become the same items an export gives, media in memory only."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine
from telethon.extensions import html
from telethon.helpers import add_surrogate
from telethon.tl import types

from reclaim.config import MediaLimits, Settings
from reclaim.errors import ReclaimError, UserInputError
from reclaim.services.scan import ScanSource, ScanSummary, run_scan
from reclaim.services.watch import WatchOptions, WatchSummary, watch_channel
from reclaim.sources.export_items import found_item as export_found_item
from reclaim.sources.found import FoundItem
from reclaim.sources.telegram_export import parse_export
from reclaim.sources.telegram_live import (
    ChannelRef,
    LiveChannel,
    TelegramUnreachableError,
    found_item,
    media_plan,
    parse_channel_ref,
    read_items,
    resolve_channel,
)
from reclaim.store.scans import last_message_id
from tests.fake_telegram import FakeTelegram, flood_wait, gif_attributes, video_attributes
from tests.shared_data import SHARED

DEMO = Path(__file__).resolve().parents[2] / "src" / "reclaim" / "demo_data"
FORWARDS_EXPORT = SHARED / "telegram-samples" / "public_channel_forwards_2026.result.json"
LIMITS = MediaLimits()


def jpeg(name: str, size: tuple[int, int] = (400, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.open(DEMO / name).convert("RGB").resize(size).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def live(entity: types.Channel) -> LiveChannel:
    """The channel as a watch resolves it (by id: found among her chats)."""
    telegram = FakeTelegram(channels=[entity], posts={entity.id: []})

    async def resolve() -> LiveChannel:
        client = telegram.client(1, "0" * 32, None)
        await client.connect()
        return await resolve_channel(client, ChannelRef(channel_id=entity.id))

    return asyncio.run(resolve())


# Channel names, links and ids


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@maskpark", ChannelRef(username="maskpark")),
        ("maskpark", ChannelRef(username="maskpark")),
        ("https://t.me/maskpark", ChannelRef(username="maskpark")),
        ("t.me/maskpark/123", ChannelRef(username="maskpark")),
        ("https://t.me/s/maskpark", ChannelRef(username="maskpark")),
        ("http://telegram.me/maskpark?single", ChannelRef(username="maskpark")),
        ("https://t.me/c/1700000001/55", ChannelRef(channel_id=1700000001)),
        ("1700000001", ChannelRef(channel_id=1700000001)),
        ("-1001700000001", ChannelRef(channel_id=1700000001)),
        ("channel1700000001", ChannelRef(channel_id=1700000001)),
        ("https://t.me/+AbCdEf123", ChannelRef(invite="https://t.me/+AbCdEf123")),
        ("https://t.me/joinchat/AbCdEf123", ChannelRef(invite="https://t.me/+AbCdEf123")),
    ],
)
def test_channel_is_read_from_a_name_a_link_or_an_id(typed: str, expected: ChannelRef) -> None:
    assert parse_channel_ref(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "@", "a b", "https://example.com/maskpark", "t.me/", "@1abc", "t.me/c/x"]
)
def test_something_that_names_no_channel_is_a_clear_error(typed: str) -> None:
    with pytest.raises(UserInputError, match="is not a Telegram channel name, link or id"):
        parse_channel_ref(typed)


# Messages as items


def test_a_post_of_an_export_and_the_same_post_live_are_one_item() -> None:
    """Message 76 of a real public channel export, rebuilt as Telethon delivers it."""
    export = parse_export(FORWARDS_EXPORT)
    [exported] = [item for item in export.items if item.message_id == 76]
    raw = json.loads(FORWARDS_EXPORT.read_text(encoding="utf-8"))
    [message_json] = [m for m in raw["messages"] if m["id"] == 76]
    text = "".join(part["text"] for part in message_json["text_entities"])
    link = "https://t.me/gemsofthesalaf"
    # Telegram counts offsets in UTF-16 code units; Telethon's own helper says how many.
    offset = len(add_surrogate(text[: text.index(link)]))
    message = types.Message(
        id=76,
        peer_id=types.PeerChannel(raw["id"]),
        date=datetime.fromtimestamp(int(message_json["date_unixtime"]), tz=UTC),
        message=text,
        entities=[types.MessageEntityUrl(offset=offset, length=len(add_surrogate(link)))],
        fwd_from=types.MessageFwdHeader(date=None, from_id=types.PeerChannel(1741241258)),
    )
    channel = live(_channel(raw["id"], raw["name"]))

    item = found_item(channel, message)

    expected = export_found_item(exported)
    assert item == expected
    assert item.key == f"telegram:{raw['id']}:76"
    assert item.url == f"https://t.me/c/{raw['id']}/76"
    assert item.forwarded_from_id == "1741241258"
    assert item.links == (link,)


def test_public_post_links_by_username_and_carries_links_forwards_and_aware_time() -> None:
    text, entities = html.parse(
        '🙂🙂 看这里 <a href="https://example.org/leak">备份</a> 和 t.me/maskpark_bak'
    )
    entities.append(types.MessageEntityUrl(offset=len(add_surrogate(text)) - 17, length=17))
    message = types.Message(
        id=9,
        peer_id=types.PeerChannel(1700000001),
        date=datetime(2026, 3, 1, 21, 0, tzinfo=UTC),
        message=text,
        entities=entities,
        fwd_from=types.MessageFwdHeader(date=None, from_id=types.PeerUser(42)),
    )
    channel = live(_channel(1700000001, "面具公园", username="MaskPark"))

    item = found_item(channel, message)

    assert item.key == "telegram:1700000001:9"
    assert item.url == "https://t.me/MaskPark/9"
    assert item.channel is not None and item.channel.title == "面具公园"
    assert item.posted_at == datetime(2026, 3, 1, 21, 0, tzinfo=UTC) and item.posted_at.tzinfo is UTC
    assert item.links == ("https://example.org/leak", "t.me/maskpark_bak")
    assert item.forwarded_from_id == "user42"
    assert not item.has_media


def test_a_channel_known_by_several_names_links_by_its_active_one() -> None:
    entity = _channel(1700000001, "面具公园")
    entity.usernames = [types.Username("old_name", active=False), types.Username("mask_now", active=True)]
    message = types.Message(id=3, peer_id=types.PeerChannel(1700000001), date=None, message="")

    assert found_item(live(entity), message).url == "https://t.me/mask_now/3"


def test_a_forward_whose_sender_is_hidden_names_no_source() -> None:
    header = types.MessageFwdHeader(date=None, from_name="某人")
    message = types.Message(id=3, peer_id=types.PeerChannel(1), date=None, message="", fwd_from=header)

    assert found_item(live(_channel(1, "c")), message).forwarded_from_id is None


def _document(mime: str, attributes: list[Any], size: int = 1000) -> types.MessageMediaDocument:
    return types.MessageMediaDocument(
        document=types.Document(
            id=1,
            access_hash=1,
            file_reference=b"",
            date=None,
            mime_type=mime,
            size=size,
            dc_id=2,
            attributes=attributes,
        )
    )


@pytest.mark.parametrize(
    ("media", "plan"),
    [
        (types.MessageMediaPhoto(photo=types.Photo(1, 1, b"", None, [], 2)), "photo"),
        (types.MessageMediaPhoto(photo=types.PhotoEmpty(1)), "missing"),
        (types.MessageMediaPhoto(photo=None, ttl_seconds=10), "missing"),
        (_document("video/mp4", video_attributes()), "document"),
        (_document("video/mp4", video_attributes(round_message=True)), "document"),
        (_document("video/mp4", gif_attributes()), "document"),
        (_document("video/quicktime", [types.DocumentAttributeFilename("clip.mov")]), "document"),
        (_document("image/png", [types.DocumentAttributeFilename("photo.png")]), "document"),
        (_document("video/mp4", video_attributes(), size=3 * 1024**3), "over_limit"),
        (_document("application/pdf", [types.DocumentAttributeFilename("a.pdf")]), None),
        (_document("audio/ogg", [types.DocumentAttributeAudio(duration=3, voice=True)]), None),
        (types.MessageMediaDocument(document=types.DocumentEmpty(1)), "missing"),
        (types.MessageMediaGeo(geo=types.GeoPointEmpty()), None),
        (None, None),
    ],
)
def test_only_photos_and_videos_within_the_limit_are_downloaded(media: Any, plan: str | None) -> None:
    message = types.Message(id=1, peer_id=types.PeerChannel(1), date=None, message="", media=media)

    assert media_plan(message, LIMITS) == plan


def test_reading_downloads_photos_and_videos_into_memory_and_nothing_else() -> None:
    telegram = FakeTelegram()
    channel = telegram.channel(1700000001, "面具公园", username="maskpark")
    photo = jpeg("astronaut.jpg")
    video = (SHARED / "conformance" / "video" / "doorknob-hd-no-bar.mp4").read_bytes()
    telegram.post(channel, service=True)
    telegram.post(channel, "她的照片", photo=photo)
    telegram.post(channel, document=(b"%PDF-1.4 ...", "application/pdf", []))
    telegram.post(channel, document=(video, "video/mp4", video_attributes(round_message=True)))
    telegram.post(channel, document=(b"", "video/mp4", video_attributes()), declared_size=3 * 1024**3)

    read = asyncio.run(_read_all(telegram, after=0))

    assert [message_id for message_id, _ in read] == [1, 2, 3, 4, 5]
    assert read[0][1] is None  # the service message
    items = [item for _, item in read if item is not None]
    assert [item.media_bytes for item in items] == [photo, None, video, None]
    assert [item.skipped_media for item in items] == [None, None, None, "over_limit"]
    assert telegram.downloads == [2, 4] and set(telegram.download_files) == {bytes}


def test_reading_starts_after_the_message_given() -> None:
    telegram = FakeTelegram()
    channel = telegram.channel(1700000001, "面具公园")
    for number in range(5):
        telegram.post(channel, f"post {number}")

    read = asyncio.run(_read_all(telegram, after=3))

    assert [message_id for message_id, _ in read] == [4, 5]
    assert telegram.history_requests == [3]


async def _read_all(telegram: FakeTelegram, after: int) -> list[tuple[int, FoundItem | None]]:
    client = telegram.client(1, "0" * 32, None)
    await client.connect()
    channel = await resolve_channel(client, ChannelRef(channel_id=telegram.channels[0].id))
    return [pair async for pair in read_items(client, channel, LIMITS, after=after, limit=None)]


def test_a_channel_given_by_id_is_found_among_her_chats() -> None:
    telegram = FakeTelegram()
    telegram.channel(1700000009, "别的频道")
    wanted = telegram.channel(1700000001, "面具公园")

    async def resolve() -> LiveChannel:
        client = telegram.client(1, "0" * 32, None)
        await client.connect()
        return await resolve_channel(client, ChannelRef(channel_id=1700000001))

    channel = asyncio.run(resolve())

    assert channel.entity is wanted and channel.channel.channel_id == "1700000001"


def test_an_unknown_channel_or_a_person_is_a_clear_error() -> None:
    telegram = FakeTelegram()
    telegram.channel(1700000001, "面具公园", username="maskpark")

    async def resolve(ref: ChannelRef) -> LiveChannel:
        client = telegram.client(1, "0" * 32, None)
        await client.connect()
        return await resolve_channel(client, ref)

    with pytest.raises(UserInputError, match="finds no channel @nosuchchannel") as error:
        asyncio.run(resolve(ChannelRef(username="nosuchchannel")))
    assert "join it in Telegram first" in error.value.hint
    with pytest.raises(UserInputError, match="finds no channel 1700000002"):
        asyncio.run(resolve(ChannelRef(channel_id=1700000002)))


# The watch service, on a real database


class _Heard:
    """A listener that keeps what the watch said."""

    def __init__(self) -> None:
        self.batches: list[ScanSummary] = []
        self.waits: list[int] = []
        self.lost: list[ReclaimError] = []
        self.followed = False

    def started(self, channel: LiveChannel, after: int) -> None:
        self.after = after

    def scanned(self, summary: ScanSummary) -> None:
        self.batches.append(summary)

    def following(self, interval: float) -> None:
        self.followed = True

    def waiting(self, seconds: int) -> None:
        self.waits.append(seconds)

    def connection_lost(self, error: ReclaimError, retry_in: float) -> None:
        self.lost.append(error)


@pytest.fixture
def store(settings: Settings) -> Iterator[Engine]:
    from reclaim.services.home import initialize_home, open_store

    initialize_home(settings)
    engine = open_store(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def _watch(
    engine: Engine,
    settings: Settings,
    telegram: FakeTelegram,
    options: WatchOptions,
    stop: asyncio.Event | None = None,
) -> tuple[WatchSummary, _Heard]:
    heard = _Heard()

    async def run() -> WatchSummary:
        client = telegram.client(1, "0" * 32, None)
        await client.connect()
        ref = ChannelRef(channel_id=telegram.channels[0].id)
        return await watch_channel(
            engine, settings, client, ref, options=options, listener=heard, stop=stop or asyncio.Event()
        )

    return asyncio.run(run()), heard


def _text_channel(posts: int) -> FakeTelegram:
    telegram = FakeTelegram()
    channel = telegram.channel(1700000001, "面具公园", username="maskpark")
    for number in range(posts):
        telegram.post(channel, f"post {number}")
    return telegram


def test_a_watch_after_an_export_scan_reads_only_what_the_export_did_not_have(
    store: Engine, settings: Settings, tmp_path: Path
) -> None:
    from tests.telegram_builder import ChannelExport

    export = ChannelExport(tmp_path / "export", "面具公园", 1700000001)
    for number in range(3):
        export.post(datetime(2026, 3, 1, tzinfo=UTC), f"post {number}")
    items = [export_found_item(item) for item in parse_export(export.write()).items]
    run_scan(store, settings, items, ScanSource("telegram-export", str(tmp_path)), workers=1)
    telegram = _text_channel(5)

    summary, heard = _watch(store, settings, telegram, WatchOptions(follow=False))

    assert heard.after == 3 and telegram.history_requests == [3]
    assert (summary.messages, summary.items, summary.last_message_id) == (2, 2, 5)
    assert [b.already_scanned for b in heard.batches] == [0]
    assert last_message_id(store, "telegram", "1700000001") == 5


def test_a_flood_wait_is_waited_out_and_the_watch_goes_on(store: Engine, settings: Settings) -> None:
    telegram = _text_channel(0)
    channel = telegram.channels[0]
    for name in ("astronaut.jpg", "coffee.jpg", "rocket.jpg"):
        telegram.post(channel, photo=jpeg(name))
    telegram.fail_download[2] = flood_wait(1)

    summary, heard = _watch(store, settings, telegram, WatchOptions(follow=False))

    assert heard.waits == [1]
    assert telegram.history_requests == [0, 1]  # asked again after the last message received
    assert telegram.downloads == [1, 2, 3] and summary.media == 3
    # What was read before the wait was scanned before it: nothing waits in memory.
    assert [b.items for b in heard.batches] == [1, 2]


def test_a_lost_connection_keeps_what_was_read_and_is_an_error(store: Engine, settings: Settings) -> None:
    telegram = _text_channel(4)
    telegram.posts[1700000001][2].media = telegram._media(jpeg("coffee.jpg"), None, None)
    telegram.fail_download[3] = ConnectionError("Connection to Telegram failed 5 time(s)")

    with pytest.raises(TelegramUnreachableError, match="Telegram cannot be reached"):
        _watch(store, settings, telegram, WatchOptions(follow=False))

    assert last_message_id(store, "telegram", "1700000001") == 2
    summary, _ = _watch(store, settings, telegram, WatchOptions(follow=False))
    assert (summary.resumed_after, summary.items, summary.media) == (2, 2, 1)


def test_a_limit_stops_after_that_many_messages(store: Engine, settings: Settings) -> None:
    telegram = _text_channel(5)

    first, _ = _watch(store, settings, telegram, WatchOptions(follow=True, interval=1, limit=2))
    second, _ = _watch(store, settings, telegram, WatchOptions(follow=False, limit=2))

    assert (first.last_message_id, second.last_message_id) == (2, 4)
    assert telegram.history_requests == [0, 2]


def test_following_finds_new_posts_and_survives_a_dropped_connection(
    store: Engine, settings: Settings
) -> None:
    telegram = _text_channel(2)
    channel = telegram.channels[0]
    stop = asyncio.Event()
    polls = 0
    original = telegram.client

    def client(api_id: int, api_hash: str, session: str | None) -> Any:
        fake = original(api_id, api_hash, session)
        history = fake.iter_messages

        def iter_messages(
            entity: Any, /, limit: int | None = None, *, min_id: int = 0, reverse: bool = False
        ) -> Any:
            nonlocal polls
            polls += 1
            if polls == 2:
                raise ConnectionError("network is unreachable")
            if polls == 3:
                telegram.post(channel, "new post")
            if polls == 4:
                stop.set()
            return history(entity, limit, min_id=min_id, reverse=reverse)

        fake.iter_messages = iter_messages  # type: ignore[method-assign]
        return fake

    telegram.client = client  # type: ignore[method-assign]

    summary, heard = _watch(store, settings, telegram, WatchOptions(follow=True, interval=0.01), stop=stop)

    assert heard.followed and len(heard.lost) == 1
    assert (summary.messages, summary.last_message_id, summary.stopped) == (3, 3, True)
    assert telegram.history_requests == [0, 2, 3]


def _channel(channel_id: int, title: str, username: str | None = None) -> types.Channel:
    return types.Channel(
        id=channel_id, title=title, photo=types.ChatPhotoEmpty(), date=None, username=username, access_hash=1
    )
