"""Spotting a poisoned bank: an entry that matches far more uploads than a private photo could.

A meme or a stock photo slipped into the bank (by mistake or to censor) would match a large
share of a platform's uploads. Each server worker counts, in memory, how many lookups matched
each entry; once a second it adds its counts to the database's hourly totals, so every worker's
lookups count, and quarantines the entries whose total over the window reached the limit. A
quarantined entry stops matching until a person clears it (`reclaim bank clear`).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.bank.snapshot import BankHit
    from reclaim.config import FloodLimit

FLOOD_ACTOR: Final = "reclaim:flood-guard"
_log = logging.getLogger(__name__)


class FloodGuard:
    """Counts one worker's matches per entry and hands them to the database; thread-safe."""

    def __init__(self, limit: FloodLimit) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._counts: Counter[int] = Counter()

    def count(self, hits: Sequence[BankHit]) -> None:
        """One lookup's hits: each entry it matched counts once, however many views matched it."""
        entry_ids = {hit.entry_id for hit in hits}
        with self._lock:
            self._counts.update(entry_ids)

    def flush(self, engine: Engine, now: datetime | None = None) -> list[int]:
        """Add the counts to the hour's totals and quarantine what flooded; the ids quarantined."""
        from reclaim.store.quarantine import add_match_counts, flooding_entries, quarantine_entries

        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return []
        at = now or datetime.now(UTC)
        try:
            add_match_counts(engine, counts, at.replace(minute=0, second=0, microsecond=0))
            flooding = flooding_entries(
                engine, threshold=self.limit.matches, since=at - timedelta(hours=self.limit.hours)
            )
            held = quarantine_entries(engine, flooding, reason="flood", actor=FLOOD_ACTOR, at=at)
        except Exception:
            # The database may be briefly away; the counts wait for the next flush.
            with self._lock:
                self._counts.update(counts)
            _log.warning("could not record match counts", exc_info=True)
            return []
        if held:
            _log.warning("quarantined entries %s: each matched %s+ lookups", held, self.limit.matches)
        return held
