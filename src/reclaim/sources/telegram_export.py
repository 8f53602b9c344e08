"""Read a Telegram Desktop machine-readable JSON export (``result.json``) into plain values.

Handles a single-chat export and a whole-account export (``chats.list``, ``left_chats.list``),
the pre-2022 format without ``date_unixtime``/``text_entities``, and exports made before
Telegram Desktop 2.7.2 whose ids are numbers carrying a peer-type shift. Nothing here hashes,
stores or prints; problems are collected in the summary so that one bad message never stops
the scan of the rest.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal

from reclaim.errors import N_, UserInputError
from reclaim.sources.telegram_ids import CHANNEL_TYPES, legacy_bare_id, message_url, normalize_peer_id

NOT_INCLUDED: Final = "(File not included. Change data exporting settings to download.)"

_VIDEO_MEDIA_TYPES: Final = frozenset({"video_file", "animation", "video_message"})
_KNOWN_FIELDS: Final = frozenset(
    {
        "id", "type", "date", "date_unixtime", "edited", "edited_unixtime", "from", "from_id",
        "actor", "actor_id", "action", "title", "text", "text_entities", "photo",
        "photo_file_size", "file", "file_name", "file_size", "mime_type", "media_type",
        "width", "height", "duration_seconds", "thumbnail", "thumbnail_file_size",
        "forwarded_from", "forwarded_from_id", "reply_to_message_id", "reply_to_peer_id",
        "author", "sticker_emoji", "performer", "message_id", "reactions", "via_bot",
        "saved_from", "members", "inviter", "self_destruct_period_seconds",
    }
)  # fmt: skip

MediaKind = Literal["photo", "video_file", "animation", "video_message", "image_file", "video_document"]
MediaStatus = Literal["present", "not_included", "missing"]


@dataclass(frozen=True, slots=True)
class ExportMedia:
    """A photo or video attached to a message, and whether the export holds its file."""

    kind: MediaKind
    status: MediaStatus
    path: Path | None  # resolved inside the export folder; None when not included
    mime_type: str | None
    size: int | None
    width: int | None
    height: int | None
    duration_seconds: int | None


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One message of an exported chat, with its text and the media worth hashing."""

    chat_id: int
    chat_title: str
    chat_type: str
    message_id: int
    posted_at: datetime  # aware, UTC
    # False when the export has only ``date``, the exporting computer's local time with no zone.
    posted_at_exact: bool
    text: str
    links: tuple[str, ...]
    sender: str | None
    sender_id: str | None  # "user123", "channel123", "chat123"; legacy numbers normalised
    forwarded_from: str | None  # a display name: two channels can share one
    forwarded_from_id: str | None
    reply_to_message_id: int | None
    edited_at: datetime | None
    is_service: bool
    action: str | None
    media: ExportMedia | None
    url: str | None

    @property
    def edited(self) -> bool:
        return self.edited_at is not None


@dataclass(frozen=True, slots=True)
class ExportProblem:
    """Something in the export that could not be read or whose file is absent (message id and params)."""

    message: str
    chat_id: int | None
    message_id: int | None
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ExportSummary:
    chats: int
    messages: int
    service_messages: int
    media_found: int
    media_not_included: int
    media_missing: int
    other_files: int  # stickers, audio, voice, PDFs...: not photos or videos
    problems: tuple[ExportProblem, ...]
    unknown_fields: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ExportScan:
    root: Path
    items: tuple[ExportItem, ...]
    summary: ExportSummary


def parse_export(path: Path, username: str | None = None) -> ExportScan:
    """Read an export folder (or its ``result.json``) into items and a summary of what was left out."""
    json_path = path / "result.json" if path.is_dir() else path
    root = json_path.parent.resolve()
    try:
        raw = json_path.read_bytes()
    except OSError as exc:
        raise UserInputError(
            N_("Cannot read the Telegram export {path}: {reason}"),
            hint=N_("Give the folder that holds result.json, or result.json itself."),
            path=str(json_path),
            reason=exc.strerror or type(exc).__name__,
        ) from exc
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UserInputError(
            N_("{path} is not valid JSON, so it is not a complete Telegram export."),
            hint=N_(
                "Export again from Telegram Desktop with the format 'Machine-readable JSON',"
                " and let the export finish."
            ),
            path=str(json_path),
        ) from exc
    chats = _chat_list(document, json_path)
    state = _State(root=root, username=username)
    for chat in chats:
        state.read_chat(chat)
    return ExportScan(root=root, items=tuple(state.items), summary=state.summary(len(chats)))


def _chat_list(document: object, json_path: Path) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        if isinstance(document.get("messages"), list):
            return [document]
        chats: list[dict[str, Any]] = []
        for key in ("chats", "left_chats"):
            section = document.get(key)
            listed = section.get("list") if isinstance(section, dict) else None
            if isinstance(listed, list):
                chats.extend(chat for chat in listed if isinstance(chat, dict))
        if chats or isinstance(document.get("chats"), dict):
            return chats
    raise UserInputError(
        N_("{path} is JSON but not a Telegram Desktop export (no messages and no chats list)."),
        hint=N_("Choose result.json from a Telegram Desktop 'Machine-readable JSON' export."),
        path=str(json_path),
    )


@dataclass
class _State:
    root: Path
    username: str | None
    items: list[ExportItem] = field(default_factory=list)
    problems: list[ExportProblem] = field(default_factory=list)
    unknown: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)

    def read_chat(self, chat: dict[str, Any]) -> None:
        try:
            chat_id = _int(chat.get("id"))
            chat_type = str(chat.get("type") or "")
            title = str(chat.get("name") or "")
        except ValueError:
            self.problems.append(
                ExportProblem(N_("A chat in the export has no usable id; it was skipped."), None, None)
            )
            return
        chat_id, _ = legacy_bare_id(chat_id)
        messages = chat.get("messages")
        if not isinstance(messages, list):
            messages = [messages] if messages is not None else []
        for message in messages:
            message_id = message.get("id") if isinstance(message, dict) else None
            try:
                if not isinstance(message, dict):
                    raise ValueError("message")
                self.items.append(self._read_message(chat_id, title, chat_type, message))
            except (KeyError, ValueError, TypeError, OverflowError):
                self.problems.append(
                    ExportProblem(
                        N_("Message {message_id} in {chat} could not be read; it was skipped."),
                        chat_id,
                        message_id if isinstance(message_id, int) else None,
                        (("message_id", str(message_id)), ("chat", title)),
                    )
                )

    def _read_message(self, chat_id: int, title: str, chat_type: str, message: dict[str, Any]) -> ExportItem:
        self.unknown.update(key for key in message if key not in _KNOWN_FIELDS)
        message_id = _int(message["id"])
        posted_at, exact = _date(message.get("date_unixtime"), message.get("date"))
        edited_at = (
            _date(message.get("edited_unixtime"), message.get("edited"))[0]
            if message.get("edited") or message.get("edited_unixtime")
            else None
        )
        is_service = message.get("type") == "service"
        default_prefix = "channel" if chat_type in CHANNEL_TYPES else "user"
        sender = message.get("actor" if is_service else "from")
        sender_id = message.get("actor_id" if is_service else "from_id")
        text, links = _text(message)
        attachment = self._attachment(message)
        reply = message.get("reply_to_message_id")
        item = ExportItem(
            chat_id=chat_id,
            chat_title=title,
            chat_type=chat_type,
            message_id=message_id,
            posted_at=posted_at,
            posted_at_exact=exact,
            text=text,
            links=links,
            sender=_opt_str(sender),
            sender_id=normalize_peer_id(sender_id, default_prefix=default_prefix),
            forwarded_from=_opt_str(message.get("forwarded_from")),
            forwarded_from_id=normalize_peer_id(message.get("forwarded_from_id")),
            reply_to_message_id=None if reply is None else _int(reply),
            edited_at=edited_at,
            is_service=is_service,
            action=_opt_str(message.get("action")) if is_service else None,
            media=attachment.media if attachment else None,
            url=None if is_service else message_url(chat_type, chat_id, message_id, self.username),
        )
        # Count only once the whole message has been read, so a skipped one leaves no trace in the totals.
        self.counts["messages"] += 1
        self.counts["service"] += is_service
        if attachment is not None:
            self._count_attachment(chat_id, message_id, attachment)
        return item

    def _attachment(self, message: dict[str, Any]) -> _Attachment | None:
        mime = _opt_str(message.get("mime_type"))
        kind: MediaKind
        if "photo" in message:
            kind, reference, size = "photo", message["photo"], message.get("photo_file_size")
            mime = mime or "image/jpeg"
        elif "file" in message:
            media_type = message.get("media_type")
            reference, size = message["file"], message.get("file_size")
            if media_type in _VIDEO_MEDIA_TYPES:
                kind = media_type
            elif media_type is None and mime and mime.startswith("image/"):
                kind = "image_file"
            elif media_type is None and mime and mime.startswith("video/"):
                kind = "video_document"
            else:
                # Stickers, audio, voice notes and other documents are not photos or videos.
                return _Attachment(None, None)
        else:
            return None
        if not isinstance(reference, str):
            raise TypeError("media path")
        status: MediaStatus
        if reference == NOT_INCLUDED:
            status, resolved = "not_included", None
        else:
            resolved = self._inside_root(reference)
            status = "present" if resolved is not None and _is_file(resolved) else "missing"
        media = ExportMedia(
            kind=kind,
            status=status,
            path=resolved,
            mime_type=mime,
            size=_opt_int(size),
            width=_opt_int(message.get("width")),
            height=_opt_int(message.get("height")),
            duration_seconds=_opt_int(message.get("duration_seconds")),
        )
        return _Attachment(media, reference)

    def _count_attachment(self, chat_id: int, message_id: int, attachment: _Attachment) -> None:
        media = attachment.media
        if media is None:
            self.counts["other_files"] += 1
        elif media.status == "present":
            self.counts["found"] += 1
        elif media.status == "not_included":
            self.counts["not_included"] += 1
            self.problems.append(
                ExportProblem(
                    N_("The export left out the file of message {message_id}; export with media to scan it."),
                    chat_id,
                    message_id,
                    (("message_id", str(message_id)),),
                )
            )
        else:
            self.counts["missing"] += 1
            self.problems.append(
                ExportProblem(
                    N_("The file {file} of message {message_id} is missing from the export folder."),
                    chat_id,
                    message_id,
                    (("file", attachment.reference or ""), ("message_id", str(message_id))),
                )
            )

    def _inside_root(self, reference: str) -> Path | None:
        # A crafted export could point outside its folder ("../../secret.jpg"); never follow it.
        relative = PurePosixPath(reference.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            return None
        try:
            candidate = (self.root / relative).resolve()
        # A NUL byte or a lone surrogate (ValueError), a name too long (OSError), a loop of links
        # (RuntimeError on Python 3.11): no file of the export, so missing rather than unreadable.
        except (OSError, ValueError, RuntimeError):
            return None
        return candidate if candidate.is_relative_to(self.root) else None

    def summary(self, chats: int) -> ExportSummary:
        return ExportSummary(
            chats=chats,
            messages=self.counts["messages"],
            service_messages=self.counts["service"],
            media_found=self.counts["found"],
            media_not_included=self.counts["not_included"],
            media_missing=self.counts["missing"],
            other_files=self.counts["other_files"],
            problems=tuple(self.problems),
            unknown_fields=tuple(sorted(self.unknown.items())),
        )


@dataclass(frozen=True, slots=True)
class _Attachment:
    """The file a message refers to; media is None for a sticker, audio or other document."""

    media: ExportMedia | None
    reference: str | None


def _is_file(path: Path) -> bool:
    # Path.is_file() lets ENAMETOOLONG through on Python 3.11; a name too long for the disk is no file.
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _text(message: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    entities = message.get("text_entities")
    parts = entities if isinstance(entities, list) else message.get("text", "")
    if isinstance(parts, str):
        return parts, ()
    if not isinstance(parts, list):
        raise TypeError("text")
    texts: list[str] = []
    links: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            piece = part.get("text", "")
            if not isinstance(piece, str):
                raise TypeError("text")
            texts.append(piece)
            if part.get("type") == "text_link" and isinstance(part.get("href"), str):
                links.append(part["href"])
            elif part.get("type") == "link":
                links.append(piece)
        else:
            raise TypeError("text")
    return "".join(texts), tuple(links)


def _date(unixtime: object, local: object) -> tuple[datetime, bool]:
    if unixtime is not None:
        try:
            return datetime.fromtimestamp(_int(unixtime), tz=UTC), True
        except (OverflowError, OSError) as exc:  # beyond time_t, or beyond what localtime accepts
            raise ValueError("date") from exc
    if isinstance(local, str):
        return datetime.fromisoformat(local).replace(tzinfo=UTC), False
    raise ValueError("date")


def _int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("int")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError("int")


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
