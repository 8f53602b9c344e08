"""Open the home's database for a command, and close it however the command ends."""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reclaim.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


@contextlib.contextmanager
def opened_store(settings: Settings) -> Iterator["Engine"]:
    from reclaim.services.home import open_store

    engine = open_store(settings)
    try:
        yield engine
    finally:
        engine.dispose()
