"""The webhook dispatcher: a thread that delivers due subscriptions about once a second.

Every server worker runs one; the subscription leases (``reclaim.store.webhooks``) keep any
two from delivering the same subscription at once, so more workers need no coordination.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

logger = logging.getLogger(__name__)


def dispatcher_id() -> str:
    """Who holds a lease, as it shows in the database: host, process, and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"[:64]


class WebhookDispatcher:
    """Delivers due webhooks every ``every`` seconds from ``start()`` until ``stop()``."""

    def __init__(self, engine: Engine, *, every: float = 1.0) -> None:
        self._engine = engine
        self._every = every
        self._owner = dispatcher_id()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="reclaim-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop after the request in flight, if any (it times out in seconds)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def deliver_once(self) -> None:
        from reclaim.services.webhooks import deliver_due

        for outcome in deliver_due(self._engine, owner=self._owner, keep_going=self._running):
            if outcome.error is not None:
                logger.warning(
                    "webhook %s failed (%s); next attempt at %s",
                    outcome.webhook_id,
                    outcome.error,
                    outcome.retry_at,
                )

    def _running(self) -> bool:
        return not self._stopping.is_set()

    def _run(self) -> None:
        while not self._stopping.wait(self._every):
            try:
                self.deliver_once()
            except Exception:
                # A database that is briefly away must not end deliveries until the next restart.
                logger.exception("webhook delivery round failed")
