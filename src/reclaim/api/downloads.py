"""A case's file (report, evidence bundle) written for one download and sent from a private folder.

The file is written by the same service as the CLI, into a new temporary folder that only the
server can read (0700), and streamed from there in chunks: a bundle with many captures can be
large, and several caseworkers may download at once. The folder is deleted once the answer has
gone out, or at once when writing fails, so nothing of the case stays outside the home.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from starlette.background import BackgroundTask
from starlette.responses import FileResponse

_Written = TypeVar("_Written")


@dataclass(frozen=True)
class PrivateFile(Generic[_Written]):
    path: Path
    written: _Written  # what the writing service returned (a report's verification, a bundle's key)

    def response(self, media_type: str, headers: Mapping[str, str]) -> FileResponse:
        """The file as the answer; its folder is deleted after the last byte is sent."""
        folder = self.path.parent
        return FileResponse(
            self.path,
            media_type=media_type,
            headers=dict(headers),
            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
        )


def write_privately(name: str, write: Callable[[Path], _Written]) -> PrivateFile[_Written]:
    """Run ``write`` on a path named ``name`` in a new private folder."""
    folder = Path(tempfile.mkdtemp(prefix="reclaim-download-"))
    try:
        path = folder / name
        return PrivateFile(path, write(path))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
