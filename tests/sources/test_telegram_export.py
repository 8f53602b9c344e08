"""The Telegram Desktop export parser on four real exports and on small ones built here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reclaim.errors import UserInputError
from reclaim.sources.telegram_export import NOT_INCLUDED, ExportScan, parse_export
from reclaim.sources.telegram_ids import legacy_bare_id
from tests.shared_data import SHARED

SAMPLES = SHARED / "telegram-samples"
FORWARDS = SAMPLES / "public_channel_forwards_2026.result.json"
ALBUM = SAMPLES / "public_channel_album_reactions_2026.result.json"
MEDIA_2021 = SAMPLES / "private_channel_media_2021.result.json"
LEGACY_2020 = SAMPLES / "private_channel_legacy_ids_2020.result.json"


@pytest.fixture(scope="module")
def forwards() -> ExportScan:
    return parse_export(FORWARDS)


def test_forwards_sample_counts_messages_service_and_left_out_media(forwards: ExportScan) -> None:
    summary = forwards.summary
    assert summary.chats == 1
    assert summary.messages == len(forwards.items) == 213
    assert summary.service_messages == 5
    # 17 photos (one a changed channel photo) and 5 videos, all "(File not included…)".
    assert summary.media_not_included == 22
    assert summary.media_found == summary.media_missing == 0
    assert len(summary.problems) == 22
    ids = [item.message_id for item in forwards.items]
    assert ids[0] == 1 and ids[-1] == 284 and 284 - len(ids) == 71


def test_forwards_keep_source_ids_because_names_are_shared(forwards: ExportScan) -> None:
    forwarded = [item for item in forwards.items if item.forwarded_from_id]
    assert len(forwarded) == 27
    ids_by_name: dict[str, set[str]] = {}
    for item in forwarded:
        assert item.forwarded_from is not None
        ids_by_name.setdefault(item.forwarded_from, set()).add(item.forwarded_from_id or "")
    assert ids_by_name["Madrasatuna || مدرستنا"] == {"channel3763828873", "channel1487396894"}
    assert "channel1741241258" in ids_by_name["Gems from the Salaf"]


def test_forwards_sample_dates_edits_replies_service_and_text(forwards: ExportScan) -> None:
    first = forwards.items[0]
    assert first.is_service and first.action == "create_channel" and first.url is None
    assert first.posted_at == datetime.fromtimestamp(1762200628, tz=UTC) and first.posted_at_exact
    assert sum(item.edited for item in forwards.items) == 106
    assert sum(item.reply_to_message_id is not None for item in forwards.items) == 6
    assert {item.action for item in forwards.items if item.is_service} >= {"pin_message", "edit_group_photo"}
    assert all(isinstance(item.text, str) for item in forwards.items)
    assert any(item.links for item in forwards.items)
    post = next(item for item in forwards.items if not item.is_service)
    assert post.url == f"https://t.me/c/3204528972/{post.message_id}"
    kinds = {item.media.kind for item in forwards.items if item.media}
    assert kinds == {"photo", "video_file"}  # stickers, audio and PDFs are not photos or videos


def test_album_sample_has_photo_and_five_videos_at_one_time() -> None:
    scan = parse_export(ALBUM)
    assert [item.media.kind for item in scan.items if item.media] == ["photo"] + ["video_file"] * 5
    assert len({item.posted_at for item in scan.items}) == 1
    assert scan.summary.media_not_included == 6
    video = scan.items[1].media
    assert video is not None and video.mime_type == "video/mp4" and (video.width, video.height) == (1280, 720)
    assert video.size == 1078558941 and video.status == "not_included" and video.path is None
    assert "ТВИЧ" in scan.items[0].text and "https://www.twitch.tv/guz3lka" in scan.items[0].links


def test_media_2021_sample_reports_files_missing_from_disk() -> None:
    scan = parse_export(MEDIA_2021, username="somechannel")
    summary = scan.summary
    # Photos 3, 4, 23-25 and the image/svg+xml document 22; voice, audio and markdown are not media.
    assert summary.media_missing == 6 and summary.other_files == 3 and summary.media_not_included == 0
    album = [item for item in scan.items if item.message_id in (23, 24, 25)]
    assert all(item.media and item.media.kind == "photo" for item in album)
    assert album[0].url == "https://t.me/somechannel/23"
    assert album[0].posted_at_exact is False
    assert scan.items[1].sender_id == "channel1292077344"
    message_14 = next(item for item in scan.items if item.message_id == 14)
    assert "example@example.com" in message_14.text and "http://example.com/" in message_14.links


def test_legacy_2020_ids_normalise_to_the_2021_export_of_the_same_channel() -> None:
    assert legacy_bare_id(9882011936) == (1292077344, "channel")
    assert legacy_bare_id((1 << 32) + 777) == (777, "user")
    old, new = parse_export(LEGACY_2020), parse_export(MEDIA_2021)
    assert {item.chat_id for item in old.items} == {1292077344}
    assert {item.sender_id for item in old.items} == {"channel1292077344"}
    assert old.items[1].url == "https://t.me/c/1292077344/2"
    new_by_id = {item.message_id: item for item in new.items}
    for item in old.items:
        assert new_by_id[item.message_id].text == item.text
        assert new_by_id[item.message_id].sender_id == item.sender_id


def _write_account_export(root: Path) -> Path:
    (root / "photos").mkdir()
    (root / "video_files").mkdir()
    (root / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "video_files" / "clip.mp4").write_bytes(b"\x00")
    document = {
        "about": "whole account",
        "chats": {
            "about": "chats",
            "list": [
                {
                    "name": "Leak channel",
                    "type": "private_channel",
                    "id": 111,
                    "messages": [
                        {
                            "id": 5,
                            "type": "message",
                            "date": "2024-01-01T10:00:00",
                            "date_unixtime": "1704103200",
                            "from": "Leak channel",
                            "from_id": "channel111",
                            "photo": "photos/photo_1.jpg",
                            "photo_file_size": 3,
                            "width": 1280,
                            "height": 960,
                            "text": ["call ", {"type": "phone", "text": "138 0013 8000"}],
                            "text_entities": [
                                {"type": "plain", "text": "call "},
                                {"type": "phone", "text": "138 0013 8000"},
                            ],
                            "new_field_from_the_future": 1,
                        },
                        {
                            "id": 6,
                            "type": "message",
                            "date": "2024-01-01T10:01:00",
                            "date_unixtime": "1704103260",
                            "from": "Leak channel",
                            "from_id": "channel111",
                            "file": "video_files/round.mp4",
                            "media_type": "video_message",
                            "mime_type": "video/mp4",
                            "text": "",
                        },
                    ],
                },
                {
                    "name": "Friend",
                    "type": "personal_chat",
                    "id": 222,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "date": "2024-01-02T10:00:00",
                            "date_unixtime": "1704189600",
                            "from": "Friend",
                            "from_id": "user222",
                            "file": "video_files/clip.mp4",
                            "mime_type": "video/mp4",
                            "file_size": 1,
                            "forwarded_from": "Leak channel",
                            "forwarded_from_id": "channel111",
                            "text": "",
                        },
                        {"id": 2, "type": "message", "date": 12345, "text": ""},
                        {
                            "id": 3,
                            "type": "message",
                            "date": "2024-01-02T10:00:00",
                            "file": NOT_INCLUDED,
                            "media_type": "animation",
                            "mime_type": "video/mp4",
                            "text": "",
                        },
                    ],
                },
            ],
        },
    }
    path = root / "result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_whole_account_export_reads_every_chat(tmp_path: Path) -> None:
    _write_account_export(tmp_path)
    scan = parse_export(tmp_path)
    summary = scan.summary
    assert summary.chats == 2 and summary.messages == 4
    assert (summary.media_found, summary.media_missing, summary.media_not_included) == (2, 1, 1)
    assert summary.unknown_fields == (("new_field_from_the_future", 1),)
    photo, round_video, forwarded, animation = scan.items
    assert photo.media and photo.media.path == tmp_path.resolve() / "photos" / "photo_1.jpg"
    assert photo.media.status == "present" and photo.text == "call 138 0013 8000"
    assert photo.url == "https://t.me/c/111/5"
    assert round_video.media and (round_video.media.kind, round_video.media.status) == (
        "video_message",
        "missing",
    )
    assert forwarded.chat_title == "Friend" and forwarded.url is None
    assert forwarded.media and forwarded.media.kind == "video_document"
    assert forwarded.forwarded_from_id == "channel111"
    assert animation.media and animation.media.status == "not_included"
    skipped = [p for p in summary.problems if p.message_id == 2]
    assert len(skipped) == 1 and "could not be read" in skipped[0].message


def test_media_path_outside_the_export_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"x")
    export = tmp_path / "export"
    export.mkdir()
    message = {
        "id": 1,
        "type": "message",
        "date": "2024-01-01T00:00:00",
        "photo": "../secret.jpg",
        "text": "",
    }
    (export / "result.json").write_text(
        json.dumps({"name": "c", "type": "private_channel", "id": 1, "messages": [message]})
    )
    media = parse_export(export).items[0].media
    assert media is not None and media.status == "missing" and media.path is None


def test_truncated_json_is_a_clear_user_error(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(FORWARDS.read_bytes()[:5000])
    with pytest.raises(UserInputError) as caught:
        parse_export(path)
    assert "not valid JSON" in str(caught.value) and "Machine-readable JSON" in caught.value.hint


def test_json_that_is_not_an_export_and_a_missing_file_are_user_errors(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text("[1, 2, 3]")
    with pytest.raises(UserInputError, match="not a Telegram Desktop export"):
        parse_export(tmp_path)
    with pytest.raises(UserInputError, match="Cannot read"):
        parse_export(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "message",
    [
        {"type": "message", "date": "2024-01-01T00:00:00", "text": ""},  # no id
        {"id": "x", "type": "message", "date": "2024-01-01T00:00:00", "text": ""},
        {"id": 1, "type": "message", "date": "yesterday", "text": ""},
        {"id": 1, "type": "message", "date_unixtime": "99999999999999999999", "text": ""},
        {"id": 1, "type": "message", "date": "2024-01-01T00:00:00", "text": {"a": 1}},
        {"id": 1, "type": "message", "date": "2024-01-01T00:00:00", "text": "", "photo": 7},
        {"id": 1, "type": "message", "date": "2024-01-01T00:00:00", "text": "", "from_id": ["user1"]},
        "not a message",
    ],
)
def test_a_message_of_the_wrong_shape_is_skipped_and_reported(tmp_path: Path, message: object) -> None:
    good = {"id": 2, "type": "message", "date": "2024-01-01T00:00:00", "text": "kept"}
    (tmp_path / "result.json").write_text(
        json.dumps({"name": "c", "type": "private_channel", "id": 1, "messages": [message, good]})
    )
    scan = parse_export(tmp_path)
    assert [item.text for item in scan.items] == ["kept"]
    assert len(scan.summary.problems) == 1 and "could not be read" in scan.summary.problems[0].message
