"""The web app inside the API app: pages at /, their static files at /static."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC: Final = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    from reclaim.web import (
        case_pages,
        login_pages,
        notice_pages,
        protect_pages,
        review_pages,
        sighting_pages,
        withdraw_pages,
    )

    app.include_router(login_pages.router)
    app.include_router(case_pages.router)
    app.include_router(review_pages.router)
    app.include_router(notice_pages.router)
    app.include_router(protect_pages.router)
    app.include_router(sighting_pages.router)
    app.include_router(withdraw_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
