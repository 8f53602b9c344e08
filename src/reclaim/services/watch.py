"""Watch a live channel: read its history from where the last scan stopped, then follow new posts.

Posts go in batches through the same scan as an export (``run_scan``): hashed, matched and
queued exactly as an export's messages are, and only their hashes kept. A batch's media bytes
are dropped as soon as it is scanned, and before any long pause. Where to resume is the newest
message of the channel any scan finished (``last_message_id``), so a second run, or a run after
an export of the same channel was scanned, reads only what is new and hashes nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol

from reclaim.errors import ReclaimError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.config import Settings
    from reclaim.services.scan import ScanSource, ScanSummary
    from reclaim.sources.found import FoundItem
    from reclaim.sources.telegram_live import ChannelClient, ChannelRef, LiveChannel

# A batch is scanned when it holds this many posts or this many bytes of media, whichever comes
# first: few enough that a stopped watch loses little, and 50 videos are never held in memory.
_BATCH_ITEMS: Final = 50
_BATCH_BYTES: Final = 256 * 1024**2


@dataclass(frozen=True, slots=True)
class WatchOptions:
    follow: bool = True  # after the history, check for new posts until stopped
    interval: float = 60.0  # seconds between checks
    limit: int | None = None  # read at most this many messages in all, then stop


class WatchListener(Protocol):
    """What the watch tells the person running it, as it happens."""

    def started(self, channel: LiveChannel, after: int) -> None: ...

    def scanned(self, summary: ScanSummary) -> None: ...

    def following(self, interval: float) -> None: ...

    def waiting(self, seconds: int) -> None: ...

    def connection_lost(self, error: ReclaimError, retry_in: float) -> None: ...


@dataclass
class WatchSummary:
    """What a whole watch read and found, over all its batches."""

    channel: LiveChannel | None  # None: stopped before the channel was found
    resumed_after: int  # the message the watch started after (0: the channel's first post)
    last_message_id: int
    messages: int = 0  # every message received, service messages included
    batches: int = 0
    items: int = 0
    media: int = 0
    texts: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    media_hits: int = 0
    identifier_hits: int = 0
    unassigned_hits: int = 0
    queued: int = 0
    failures: int = 0
    stopped: bool = False  # by the person (Ctrl-C), not by running out of posts

    def add(self, summary: ScanSummary) -> None:
        self.batches += 1
        self.items += summary.items
        self.media += summary.media
        self.texts += summary.texts
        self.skipped.update(summary.skipped)
        self.media_hits += summary.media_hits
        self.identifier_hits += summary.identifier_hits
        self.unassigned_hits += summary.unassigned_hits
        self.queued += summary.queued
        self.failures += len(summary.failures)


async def watch_channel(
    engine: Engine,
    settings: Settings,
    client: ChannelClient,
    ref: ChannelRef,
    *,
    options: WatchOptions,
    listener: WatchListener,
    stop: asyncio.Event,
) -> WatchSummary:
    """Scan the channel's posts after the last one seen, then (``options.follow``) its new ones.

    Returns when the history is read (without ``follow``), after ``options.limit`` messages,
    or once ``stop`` is set, always after scanning the batch in hand. A lost connection ends
    the history with a ReclaimError; while following it is reported and retried.
    """
    from reclaim.sources.export_items import PLATFORM
    from reclaim.sources.telegram_live import TelegramUnreachableError, TelegramWait, resolve_channel
    from reclaim.store.scans import last_message_id

    while True:
        try:
            channel = await resolve_channel(client, ref)
            break
        except TelegramWait as wait:
            listener.waiting(wait.seconds)
            if await _sleep_unless_stopped(stop, wait.seconds):
                return WatchSummary(None, resumed_after=0, last_message_id=0, stopped=True)
    after = last_message_id(engine, PLATFORM, channel.channel.channel_id) or 0
    watch = _Watch(
        engine, settings, client, channel, options=options, listener=listener, stop=stop, after=after
    )
    listener.started(channel, watch.summary.resumed_after)
    await watch.read_new()
    if options.follow and not watch.done:
        listener.following(options.interval)
    while options.follow and not watch.done:
        if await _sleep_unless_stopped(stop, options.interval):
            break
        try:
            await watch.read_new()
        except TelegramUnreachableError as error:
            # A watch left running for days outlives a dropped Wi-Fi; the next check goes on.
            listener.connection_lost(error, options.interval)
    watch.summary.stopped = stop.is_set()
    return watch.summary


class _Watch:
    """The posts read so far, the batch in hand, and where to go on from."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        client: ChannelClient,
        channel: LiveChannel,
        *,
        options: WatchOptions,
        listener: WatchListener,
        stop: asyncio.Event,
        after: int,
    ) -> None:
        from reclaim.services.scan import ScanSource

        self.engine, self.settings, self.client = engine, settings, client
        self.channel, self.options, self.listener, self.stop = channel, options, listener, stop
        self.summary = WatchSummary(channel, resumed_after=after, last_message_id=after)
        location = f"https://t.me/{channel.username}" if channel.username else channel.channel.channel_id
        self.source: ScanSource = ScanSource("telegram-live", location)
        self.batch: list[FoundItem] = []
        self.batch_bytes = 0

    @property
    def done(self) -> bool:
        limit = self.options.limit
        return self.stop.is_set() or (limit is not None and self.summary.messages >= limit)

    async def read_new(self) -> None:
        """Read every message after the last one, scanning full batches; waits out flood waits."""
        from reclaim.sources.telegram_live import TelegramWait

        while not self.done:
            try:
                await self._read()
            except TelegramWait as wait:
                # Nothing is held in memory through the pause; the next request starts after
                # the last message received.
                await self._scan_batch()
                self.listener.waiting(wait.seconds)
                if await _sleep_unless_stopped(self.stop, wait.seconds):
                    return
                continue
            except ReclaimError:
                await self._scan_batch()  # what was read is kept: the next run goes on after it
                raise
            await self._scan_batch()
            return

    async def _read(self) -> None:
        from reclaim.sources.telegram_live import read_items

        limit = self.options.limit
        remaining = None if limit is None else limit - self.summary.messages
        messages = read_items(
            self.client,
            self.channel,
            self.settings.limits,
            after=self.summary.last_message_id,
            limit=remaining,
        )
        async with contextlib.aclosing(messages):
            async for message_id, item in messages:
                self.summary.last_message_id = max(self.summary.last_message_id, message_id)
                self.summary.messages += 1
                if item is not None:
                    self.batch.append(item)
                    self.batch_bytes += len(item.media_bytes or b"")
                if len(self.batch) >= _BATCH_ITEMS or self.batch_bytes >= _BATCH_BYTES:
                    await self._scan_batch()
                if self.done:
                    return

    async def _scan_batch(self) -> None:
        from reclaim.services.scan import run_scan

        if not self.batch:
            return
        items, self.batch, self.batch_bytes = self.batch, [], 0
        # In a thread, so that Telethon keeps its connection alive while a long video is hashed;
        # one worker, since posts arrive a few at a time and their media is in memory here.
        summary = await asyncio.to_thread(run_scan, self.engine, self.settings, items, self.source, workers=1)
        summary.extra.update(
            channel_id=self.channel.channel.channel_id,
            first_message_id=items[0].message_id,
            last_message_id=items[-1].message_id,
        )
        del items  # the media bytes go with the batch
        self.summary.add(summary)
        self.listener.scanned(summary)


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until ``stop`` is set; True when stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()
