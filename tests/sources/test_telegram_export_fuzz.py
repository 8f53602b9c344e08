"""Malformed Telegram exports give a scan with problems or a UserInputError, never a traceback.

Each property builds exports that a damaged disk, an unfinished export or a crafted file could
produce (truncated JSON, values of the wrong type, media paths that lead out of the folder, huge
or deeply nested fields) and checks the parser's contract: ``parse_export`` returns an
``ExportScan`` whose counts add up, or raises ``UserInputError`` with a message and a hint.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reclaim.errors import UserInputError
from reclaim.sources.telegram_export import NOT_INCLUDED, ExportScan, parse_export
from tests.shared_data import SHARED

SAMPLES = sorted((SHARED / "telegram-samples").glob("*.result.json"))
# tmp_path is shared by a property's examples; each example writes result.json afresh.
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Values a JSON document can hold, with the integers that break timestamps and shifted ids.
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**31, 2**32, (2 << 32) + 5, 2**63, -(2**63) - 1, 10**12, 10**18, 10**40])
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "1", "-1", "²", "١٢", "99999999999999999999", "2024-01-01T10:00:00", NOT_INCLUDED])
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

_MESSAGE_FIELDS = [
    "id", "type", "date", "date_unixtime", "edited", "edited_unixtime", "from", "from_id", "actor",
    "actor_id", "action", "text", "text_entities", "photo", "photo_file_size", "file", "file_size",
    "mime_type", "media_type", "width", "height", "duration_seconds", "forwarded_from",
    "forwarded_from_id", "reply_to_message_id",
]  # fmt: skip
_BASE_MESSAGE: dict[str, Any] = {
    "id": 1,
    "type": "message",
    "date": "2024-01-01T10:00:00",
    "date_unixtime": "1704103200",
    "from": "Leak channel",
    "from_id": "channel111",
    "text": "hello",
    "text_entities": [{"type": "plain", "text": "hello"}],
}
KEPT: dict[str, Any] = {"id": 424242, "type": "message", "date": "2024-01-01T10:00:00", "text": "kept"}


@st.composite
def messages_of_wrong_types(draw: st.DrawFn) -> object:
    """A good message with some fields removed or replaced, or no message at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    message = dict(_BASE_MESSAGE)
    for key in draw(st.sets(st.sampled_from(sorted(_BASE_MESSAGE)), max_size=3)):
        del message[key]
    message.update(draw(st.dictionaries(st.sampled_from(_MESSAGE_FIELDS), JSON_VALUES, max_size=5)))
    return message


@st.composite
def chats_of_wrong_types(draw: st.DrawFn) -> object:
    """A chat whose id, type, name or messages may be of any JSON type."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    chat: dict[str, object] = {"name": "Leak channel", "type": "private_channel", "id": 111}
    chat["messages"] = draw(st.lists(messages_of_wrong_types(), max_size=4))
    chat.update(
        draw(st.dictionaries(st.sampled_from(["id", "type", "name", "messages"]), JSON_VALUES, max_size=2))
    )
    return chat


def _write(root: Path, document: object) -> Path:
    path = root / "result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _scan_or_user_error(path: Path, username: str | None = None) -> ExportScan | None:
    """Parse, letting only the contract's outcomes through; None for a clear user error."""
    try:
        scan = parse_export(path, username=username)
    except UserInputError as error:
        assert error.message and error.hint
        assert error.message.format(**error.params) == str(error)
        return None
    _assert_consistent(scan)
    return scan


def _assert_consistent(scan: ExportScan) -> None:
    """Counts add up, every item holds plain values, and no media lies outside the export."""
    summary, items = scan.summary, scan.items
    assert summary.messages == len(items)
    assert summary.service_messages == sum(item.is_service for item in items)
    media = [item.media for item in items if item.media is not None]
    statuses = [m.status for m in media]
    assert summary.media_found == statuses.count("present")
    assert summary.media_not_included == statuses.count("not_included")
    assert summary.media_missing == statuses.count("missing")
    for item in items:
        assert isinstance(item.message_id, int) and isinstance(item.chat_id, int)
        assert isinstance(item.text, str) and all(isinstance(link, str) for link in item.links)
        assert isinstance(item.chat_title, str) and isinstance(item.chat_type, str)
        assert item.posted_at.tzinfo is not None
        assert item.sender_id is None or isinstance(item.sender_id, str)
        assert item.forwarded_from_id is None or isinstance(item.forwarded_from_id, str)
    for m in media:
        if m.status == "not_included":
            assert m.path is None
        if m.path is not None:
            assert m.path.is_relative_to(scan.root)
        if m.status == "present":
            assert m.path is not None and m.path.is_file()
    for problem in summary.problems:
        # The CLI and the web page format each problem with its params; that must never fail.
        problem.message.format(**dict(problem.params))
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in problem.params)


def _unreadable(scan: ExportScan) -> int:
    return sum("could not be read" in problem.message for problem in scan.summary.problems)


@cache
def _sample_bytes(path: Path) -> bytes:
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_a_sample_cut_anywhere_is_a_user_error_or_a_scan(tmp_path: Path, data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(SAMPLES), label="sample")
    raw = _sample_bytes(sample)
    cut = data.draw(st.integers(0, len(raw)), label="cut")
    path = tmp_path / "result.json"
    path.write_bytes(raw[:cut])
    scan = _scan_or_user_error(path)
    if cut == len(raw):
        assert scan is not None
    elif raw[cut:].strip():
        assert scan is None  # an export is one JSON object: any real cut leaves it unclosed


@FUZZ
@given(messages=st.lists(messages_of_wrong_types(), max_size=6), username=st.none() | st.text(max_size=8))
def test_messages_of_wrong_types_are_skipped_and_the_rest_kept(
    tmp_path: Path, messages: list[object], username: str | None
) -> None:
    document = {"name": "Leak channel", "type": "private_channel", "id": 111, "messages": [*messages, KEPT]}
    scan = _scan_or_user_error(_write(tmp_path, document), username)
    assert scan is not None  # the chat itself is well formed
    assert len(scan.items) + _unreadable(scan) == len(messages) + 1
    assert (scan.items[-1].message_id, scan.items[-1].text) == (424242, "kept")


_TIMESTAMPS = st.one_of(
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([-(2**63), 2**31, 10**11, 10**12, 10**16, 10**18, 2**63, 10**30]),
)


@FUZZ
@given(
    field=st.sampled_from(["date_unixtime", "edited_unixtime"]),
    unixtime=_TIMESTAMPS | _TIMESTAMPS.map(str),
)
def test_a_timestamp_out_of_any_calendar_skips_only_its_message(
    tmp_path: Path, field: str, unixtime: int | str
) -> None:
    message = {**_BASE_MESSAGE, field: unixtime}
    document = {"name": "c", "type": "private_channel", "id": 1, "messages": [message, KEPT]}
    scan = _scan_or_user_error(_write(tmp_path, document))
    assert scan is not None and len(scan.items) + _unreadable(scan) == 2
    assert scan.items[-1].text == "kept"


@FUZZ
@given(chat=chats_of_wrong_types())
def test_a_single_chat_of_wrong_types_is_a_user_error_or_a_scan(tmp_path: Path, chat: object) -> None:
    scan = _scan_or_user_error(_write(tmp_path, chat))
    if scan is not None and isinstance(chat, dict) and isinstance(chat.get("messages"), list):
        assert len(scan.items) + _unreadable(scan) <= len(chat["messages"])


_SECTIONS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"list": JSON_VALUES | st.lists(chats_of_wrong_types(), max_size=3)}),
)


@FUZZ
@given(
    chats=_SECTIONS, left_chats=_SECTIONS, extra=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=2)
)
def test_a_whole_account_export_of_wrong_types_is_a_user_error_or_a_scan(
    tmp_path: Path, chats: object, left_chats: object, extra: dict[str, object]
) -> None:
    document = {**extra, "chats": chats, "left_chats": left_chats}
    scan = _scan_or_user_error(_write(tmp_path, document))
    if scan is not None:
        listed = [
            chat
            for section in (chats, left_chats)
            if isinstance(section, dict) and isinstance(section.get("list"), list)
            for chat in section["list"]
        ]
        assert scan.summary.chats == sum(isinstance(chat, dict) for chat in listed)


@pytest.fixture
def export_beside_a_secret(tmp_path: Path) -> Path:
    """An export folder with one real photo, next to a file it must never reach."""
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8\xff secret")
    export = tmp_path / "export"
    (export / "photos" / "a_folder").mkdir(parents=True)
    (export / "photos" / "inside.jpg").write_bytes(b"\xff\xd8\xff")
    # A link inside the folder that leads out of it, as a crafted archive could unpack.
    (export / "photos" / "escape.jpg").symlink_to(tmp_path / "secret.jpg")
    (export / "photos" / "loop.jpg").symlink_to("loop.jpg")
    return export


_TRICKY_PATHS = st.sampled_from(
    [
        "../secret.jpg", "../../etc/passwd", "/etc/passwd", "photos/../../secret.jpg",
        "..\\secret.jpg", "photos\\..\\..\\secret.jpg", "photos/escape.jpg", "photos/loop.jpg",
        "photos/a_folder", "photos", "", ".", "./", "photos/inside.jpg\x00.png", "\x00", "photos/\ud800.jpg",
        "C:\\Windows\\win.ini", "//server/share/x.jpg", "~/secret.jpg", "file:///etc/passwd",
        "photos/inside.jpg", "./photos/inside.jpg", "photos//inside.jpg", "photos\\inside.jpg",
        "a" * 300, "a/" * 3000, "photos/" + "b" * 255 + ".jpg", "photos/" + "c" * 256 + ".jpg",
    ]
)  # fmt: skip
_REFERENCES = (
    _TRICKY_PATHS
    | st.text(max_size=40)
    | st.builds(
        lambda ups, tail: "../" * ups + tail,
        st.integers(1, 40),
        st.sampled_from(["secret.jpg", "etc/passwd"]),
    )
    | st.text(min_size=256, max_size=5000)
)


@FUZZ
@given(
    references=st.lists(st.tuples(_REFERENCES, st.sampled_from(["photo", "video_file", "image"])), max_size=5)
)
def test_media_paths_that_lead_nowhere_or_outside_are_missing_and_never_followed(
    export_beside_a_secret: Path, references: list[tuple[str, str]]
) -> None:
    export = export_beside_a_secret
    messages: list[dict[str, Any]] = []
    for number, (reference, kind) in enumerate(references, start=1):
        message: dict[str, Any] = {"id": number, "type": "message", "date": "2024-01-01T10:00:00", "text": ""}
        if kind == "photo":
            message["photo"] = reference
        elif kind == "video_file":
            message.update(file=reference, media_type="video_file", mime_type="video/mp4")
        else:
            message.update(file=reference, mime_type="image/png")
        messages.append(message)
    _write(export, {"name": "c", "type": "private_channel", "id": 1, "messages": messages})
    scan = _scan_or_user_error(export)
    assert scan is not None
    # A strange path is a missing file, not an unreadable message.
    assert len(scan.items) == len(references)
    inside = (export / "photos" / "inside.jpg").resolve()
    for item in scan.items:
        assert item.media is not None
        assert item.media.status in {"present", "missing", "not_included"}
        assert item.media.path is None or item.media.path.is_relative_to(export.resolve())
        if item.media.status == "present":
            assert item.media.path == inside
    missing = [p for p in scan.summary.problems if "missing from the export folder" in p.message]
    assert len(missing) == scan.summary.media_missing


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(megabytes=st.integers(1, 6), letter=st.sampled_from(["x", "я", "😀", "\u200b"]))
def test_a_text_of_several_megabytes_is_read_whole(tmp_path: Path, megabytes: int, letter: str) -> None:
    text = letter * (megabytes * 1_000_000 // len(letter.encode()))
    message = {**_BASE_MESSAGE, "text": text, "text_entities": [{"type": "plain", "text": text}]}
    scan = _scan_or_user_error(
        _write(tmp_path, {"name": "c", "type": "private_channel", "id": 1, "messages": [message]})
    )
    assert scan is not None and scan.items[0].text == text


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(1000, 20000),
    kinds=st.lists(st.sampled_from(["plain", "link", "text_link", "bold"]), min_size=1),
)
def test_thousands_of_entities_are_joined_and_their_links_kept(
    tmp_path: Path, count: int, kinds: list[str]
) -> None:
    entities: list[dict[str, str]] = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        entity = {"type": kind, "text": f"t{number} "}
        if kind == "text_link":
            entity["href"] = f"https://example.com/{number}"
        entities.append(entity)
    message = {**_BASE_MESSAGE, "text_entities": entities}
    scan = _scan_or_user_error(
        _write(tmp_path, {"name": "c", "type": "private_channel", "id": 1, "messages": [message]})
    )
    assert scan is not None
    assert scan.items[0].text == "".join(entity["text"] for entity in entities)
    assert len(scan.items[0].links) == sum(entity["type"] in {"link", "text_link"} for entity in entities)


_HOLE = "@@nested@@"
# Where the nested value goes, as (chat fields, message fields) of an otherwise valid export.
_PLACES: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "entity text": ({}, {"text_entities": [{"type": "plain", "text": _HOLE}]}),
    "entity": ({}, {"text_entities": [_HOLE]}),
    "text part": ({}, {"text": ["a", _HOLE]}),
    "from_id": ({}, {"from_id": _HOLE}),
    "message id": ({}, {"id": _HOLE}),
    "message": ({}, {"unknown_field": _HOLE}),
    "chat name": ({"name": _HOLE}, {}),
    "chat type": ({"type": _HOLE}, {}),
    "chat id": ({"id": _HOLE}, {}),
}


def _nested_export(place: str, depth: int, *, as_dicts: bool = False) -> str:
    """An otherwise valid export with ``depth`` levels of lists (or objects) at one place."""
    chat_fields, message_fields = _PLACES[place]
    message = {**_BASE_MESSAGE, **message_fields}
    chat = {"name": "c", "type": "private_channel", "id": 1, **chat_fields, "messages": [message, KEPT]}
    nested = '{"a": ' * depth + "1" + "}" * depth if as_dicts else "[" * depth + "]" * depth
    return json.dumps(chat).replace(json.dumps(_HOLE), nested)


@FUZZ
@given(place=st.sampled_from(sorted(_PLACES)), depth=st.integers(1, 50_000), as_dicts=st.booleans())
@example(place="entity text", depth=100_000, as_dicts=False)
def test_deep_nesting_anywhere_is_a_user_error_or_a_problem(
    tmp_path: Path, place: str, depth: int, as_dicts: bool
) -> None:
    path = tmp_path / "result.json"
    path.write_text(_nested_export(place, depth, as_dicts=as_dicts), encoding="utf-8")
    _scan_or_user_error(path)


@pytest.mark.parametrize("place", sorted(_PLACES))
def test_the_deepest_nesting_json_accepts_is_still_no_traceback(tmp_path: Path, place: str) -> None:
    # json.loads stops at the recursion limit; a value just inside it must not break the code after it.
    low, high = 1, 10_000
    while low < high:
        middle = (low + high + 1) // 2
        try:
            json.loads(_nested_export(place, middle))
            low = middle
        except RecursionError:
            high = middle - 1
    path = tmp_path / "result.json"
    for depth in range(max(1, low - 12), low + 2):
        path.write_text(_nested_export(place, depth), encoding="utf-8")
        scan = _scan_or_user_error(path)
        if scan is not None and place not in {"chat id"}:
            # Only the message holding the nesting can be lost; the one after it is kept.
            assert scan.items[-1].text == "kept"
