"""Write Telegram Desktop exports (Machine-readable JSON) in the exact shape the app writes them.

Fields, their order and the media folders follow the real samples in ../shared/telegram-samples/
(2026 format: ``date_unixtime``, ``text_entities``, ``photo_file_size``). Media files are public
sample images and videos copied (or re-encoded by the caller) into the export's folders.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class ChannelExport:
    """One chat's export being built: call ``post``/``photo``/``video`` then ``write``."""

    root: Path
    name: str
    chat_id: int
    chat_type: str = "public_channel"
    messages: list[dict[str, Any]] = field(default_factory=list)

    def _base(self, when: datetime, text: str | list[Any]) -> dict[str, Any]:
        local = when.astimezone(UTC).replace(tzinfo=None)
        plain = (
            text if isinstance(text, str) else "".join(p if isinstance(p, str) else p["text"] for p in text)
        )
        entities = (
            ([{"type": "plain", "text": plain}] if plain else [])
            if isinstance(text, str)
            else [{"type": "plain", "text": p} if isinstance(p, str) else p for p in text]
        )
        return {
            "id": len(self.messages) + 1,
            "type": "message",
            "date": local.isoformat(timespec="seconds"),
            "date_unixtime": str(int(when.timestamp())),
            "from": self.name,
            "from_id": f"channel{self.chat_id}",
            "_text": text,
            "_entities": entities,
        }

    def _add(self, message: dict[str, Any], forwarded_from: tuple[str, int] | None) -> dict[str, Any]:
        if forwarded_from is not None:
            message["forwarded_from"] = forwarded_from[0]
            message["forwarded_from_id"] = f"channel{forwarded_from[1]}"
        text, entities = message.pop("_text"), message.pop("_entities")
        message["text"] = text
        message["text_entities"] = entities
        self.messages.append(message)
        return message

    def post(
        self, when: datetime, text: str | list[Any], *, forwarded_from: tuple[str, int] | None = None
    ) -> dict[str, Any]:
        return self._add(self._base(when, text), forwarded_from)

    def photo(
        self,
        when: datetime,
        source: Path | None,
        *,
        text: str = "",
        forwarded_from: tuple[str, int] | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> dict[str, Any]:
        """A photo post; ``source`` None writes the export's "(File not included...)" placeholder."""
        message = self._base(when, text)
        number = len(self.messages) + 1
        if source is None:
            message["photo"] = "(File not included. Change data exporting settings to download.)"
            message["photo_file_size"] = 123456
        else:
            stamp = when.astimezone(UTC).strftime("%d-%m-%Y_%H-%M-%S")
            relative = f"photos/photo_{number}@{stamp}.jpg"
            (self.root / "photos").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, self.root / relative)
            message["photo"] = relative
            message["photo_file_size"] = (self.root / relative).stat().st_size
        message["width"], message["height"] = width, height
        return self._add(message, forwarded_from)

    def video(
        self,
        when: datetime,
        source: Path,
        *,
        text: str = "",
        forwarded_from: tuple[str, int] | None = None,
        duration: int = 5,
    ) -> dict[str, Any]:
        message = self._base(when, text)
        relative = f"video_files/{source.name}"
        (self.root / "video_files").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, self.root / relative)
        message.update(
            {
                "file": relative,
                "file_name": source.name,
                "file_size": (self.root / relative).stat().st_size,
                "thumbnail": "(File not included. Change data exporting settings to download.)",
                "thumbnail_file_size": 2000,
                "media_type": "video_file",
                "mime_type": "video/mp4",
                "duration_seconds": duration,
                "width": 640,
                "height": 360,
            }
        )
        return self._add(message, forwarded_from)

    def write(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        document = {"name": self.name, "type": self.chat_type, "id": self.chat_id, "messages": self.messages}
        path = self.root / "result.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        return self.root
