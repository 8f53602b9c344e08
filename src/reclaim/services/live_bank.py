"""The bank as a long-running server holds it: in memory, and current within a second.

Each server worker keeps one ``BankSnapshot`` and, at most once per ``check_every`` seconds,
reads a cheap change marker (``store.bank_changes.change_marker``: an indexed range of the audit
trail); only when it moved is the bank read again. New and withdrawn entries are thus followed
without a restart, and a quiet bank costs one small query a second. The same check hands the
worker's match counts to its flood guard (``services.flood``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reclaim.errors import N_, StorageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.bank.snapshot import BankSnapshot, SignalTable
    from reclaim.services.flood import FloodGuard
    from reclaim.store.bank_changes import ChangeMarker


_log = logging.getLogger(__name__)


@dataclass
class _Loaded:
    """One reading of the bank; replaced whole, never changed but for the snapshots it caches."""

    marker: ChangeMarker
    table: SignalTable
    # Low-quality PDQ entries match only when a caller asks (DESIGN.md); that snapshot is built
    # on the first such request, from the same table.
    snapshots: dict[bool, BankSnapshot] = field(default_factory=dict)


class LiveBank:
    """Every active entry, refreshed when the banks change; safe to share between threads.

    One thread at a time checks and reloads; the others go on matching against the snapshot
    they have, so a large bank's reload (seconds at ten million entries) stalls no request but
    the first load.
    """

    def __init__(self, engine: Engine, *, check_every: float = 1.0, guard: FloodGuard | None = None) -> None:
        """With a ``guard``, every lookup's hits are counted, and flushed at each check."""
        self._engine = engine
        self._guard = guard
        self._check_every = check_every
        self._refreshing = threading.Lock()
        self._checked_at = float("-inf")
        self._loaded: _Loaded | None = None
        self._stopping = threading.Event()
        self._follower: threading.Thread | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def follow(self) -> None:
        """Load the bank and check for changes in a thread of its own, from now until ``stop()``.

        Requests then never wait on the database: ``snapshot()`` hands out what is loaded (and
        answers "still loading" before the first load), so a route can run on the event loop.
        """

        def run() -> None:
            while True:
                try:
                    with self._refreshing:
                        self._refresh_if_changed()
                except Exception:  # the database briefly away: matching goes on with what it has
                    _log.warning("could not check the bank for changes", exc_info=True)
                if self._stopping.wait(self._check_every):
                    return

        self._follower = threading.Thread(target=run, name="reclaim-bank-follower", daemon=True)
        self._follower.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._follower is not None:
            self._follower.join(timeout=10)

    def snapshot(self, *, include_low_quality: bool = False) -> BankSnapshot:
        """The current snapshot; without a follower, read again first when the banks changed."""
        from reclaim.bank.snapshot import BankSnapshot

        if self._loaded is None:
            if self._follower is not None:
                raise StorageError(
                    N_("The bank is still loading."), hint=N_("Wait a few seconds and ask again.")
                )
            with self._refreshing:
                self._refresh_if_changed()
        elif (
            self._follower is None
            and time.monotonic() - self._checked_at >= self._check_every
            and self._refreshing.acquire(blocking=False)
        ):
            try:
                self._refresh_if_changed()
            finally:
                self._refreshing.release()
        loaded = self._loaded
        assert loaded is not None
        snapshot = loaded.snapshots.get(include_low_quality)
        if snapshot is None:
            # Two threads may build it at once; both results are the same, and one is kept.
            on_hits = self._guard.count if self._guard is not None else None
            snapshot = BankSnapshot(loaded.table, allow_low_quality=include_low_quality, on_hits=on_hits)
            snapshot = loaded.snapshots.setdefault(include_low_quality, snapshot)
        return snapshot

    def _refresh_if_changed(self) -> None:
        from reclaim.store.bank_changes import change_marker
        from reclaim.store.banks import active_signal_table

        now = time.monotonic()
        loaded = self._loaded
        if loaded is not None and now - self._checked_at < self._check_every:
            return  # another thread checked while this one waited
        self._checked_at = now
        if self._guard is not None:
            # Before the marker: an entry quarantined now moves it, and this very check reloads.
            self._guard.flush(self._engine)
        if loaded is not None and change_marker(self._engine, loaded.marker.floor) == loaded.marker:
            return
        # The marker is read before the entries: a change that lands between the two reads
        # moves the marker again, so the next check reloads rather than missing it.
        marker = change_marker(self._engine)
        self._loaded = _Loaded(marker, active_signal_table(self._engine))
