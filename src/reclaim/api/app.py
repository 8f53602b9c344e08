"""The FastAPI application: ``create_app(settings)`` for tests and embedding, a factory for uvicorn."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from reclaim import __version__
from reclaim.api.errors import install_error_handlers
from reclaim.api.routers import (
    bank,
    case_files,
    case_notices,
    case_review,
    cases,
    health,
    hma,
    matching,
    quarantine,
)
from reclaim.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


def create_app(settings: Settings, *, engine: Engine | None = None, check_every: float = 1.0) -> FastAPI:
    """The API over the home ``settings`` name; ``check_every``: seconds between bank change checks.

    With ``engine`` the caller owns the database connection; otherwise the app opens the home
    (NotInitializedError before `reclaim init`) and disposes of it on shutdown.
    """
    from reclaim.services.flood import FloodGuard
    from reclaim.services.home import open_store
    from reclaim.services.live_bank import LiveBank
    from reclaim.services.webhook_dispatcher import WebhookDispatcher

    owned = engine is None
    store = open_store(settings) if engine is None else engine
    live_bank = LiveBank(store, check_every=check_every, guard=FloodGuard(settings.flood))
    webhooks = WebhookDispatcher(store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The bank loads beside the server, so health answers at once and readiness says when
        # a large bank is in memory; the first match would otherwise wait for it anyway.
        if check_every > 0:
            live_bank.follow()  # loads, then checks for changes beside the requests
        else:  # tests: every request checks first, so a change shows at once
            threading.Thread(target=live_bank.snapshot, name="reclaim-bank-load", daemon=True).start()
        webhooks.start()  # every worker runs one; leases keep them from delivering twice
        try:
            yield
        finally:
            webhooks.stop()
            live_bank.stop()
            if owned:
                store.dispose()

    app = FastAPI(
        title="Reclaim",
        version=__version__,
        description=(
            "Matching against a bank of protected hashes of intimate images shared without consent. "
            "Every route but /healthz, /readyz and the documents needs `Authorization: Bearer TOKEN`."
        ),
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: every visit would tell
        # a third party that this installation exists. /openapi.json is served, with no token.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = store
    app.state.live_bank = live_bank
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(matching.router)
    app.include_router(bank.router)
    app.include_router(hma.router)
    app.include_router(quarantine.router)
    app.include_router(cases.router)
    app.include_router(case_files.router)
    app.include_router(case_review.router)
    app.include_router(case_notices.router)
    from reclaim.web.mount import mount_web

    mount_web(app)  # the web app's pages at / and /static, outside the OpenAPI document
    return app


def app_from_environment() -> FastAPI:
    """What `reclaim serve` gives uvicorn: each worker process builds its own app from the environment."""
    return create_app(load_settings())
