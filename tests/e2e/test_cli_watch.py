"""`reclaim watch telegram` through the real entry point, with a fake Telegram serving real Telethon objects.

There is no network here, so the one thing replaced is the function that builds Telethon's
client (``telegram_live.telegram_client``): the command runs in this process, through
``reclaim.cli.main.main``, and everything else is real (credentials, the vault, the scan, the
database on SQLite and PostgreSQL). The other commands run as a person runs them.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from telethon.crypto import AuthKey
from telethon.sessions import StringSession
from telethon.tl import types

from reclaim.sources import telegram_live
from tests.e2e.test_cli_bank import home_env, lines, new_case
from tests.e2e.test_cli_hash import reclaim
from tests.fake_telegram import FakeTelegram, flood_wait, gif_attributes, video_attributes
from tests.shared_data import VIDEOS

__all__ = ["home_env"]

DEMO = Path(__file__).resolve().parents[2] / "src" / "reclaim" / "demo_data"
API = {"RECLAIM_TELEGRAM_API_ID": "123456", "RECLAIM_TELEGRAM_API_HASH": "0123456789abcdef0123456789abcdef"}
LEAK_ID, OTHER_ID = 1700000001, 1700000002
NO_TRACEBACK = "Traceback"


def jpeg(name: str, size: tuple[int, int], quality: int = 75) -> bytes:
    """A demo photo as a channel re-shares it: resized and re-encoded."""
    buffer = io.BytesIO()
    Image.open(DEMO / name).convert("RGB").resize(size).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def logged_in(telegram: FakeTelegram) -> str:
    """A session string this Telegram accepts, as RECLAIM_TELEGRAM_SESSION would hold it."""
    session = StringSession()
    session.set_dc(2, "149.154.167.51", 443)
    session.auth_key = AuthKey(os.urandom(256))
    value = session.save()
    telegram.issued_sessions.add(value)
    return str(value)


class Watch:
    """Runs `reclaim watch telegram ...` in this process against one fake Telegram."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str]
    ) -> None:
        self.monkeypatch, self.capsys = monkeypatch, capsys
        self.telegram = FakeTelegram()
        for name in (
            "RECLAIM_PASSPHRASE",
            "RECLAIM_TELEGRAM_SESSION",
            "RECLAIM_LANG",
            "RECLAIM_DATABASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
        for name, value in {**env, **API, "RECLAIM_TELEGRAM_SESSION": logged_in(self.telegram)}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(telegram_live, "telegram_client", self.telegram.client)

    def __call__(self, *args: str) -> tuple[int, str, str]:
        from reclaim.cli.main import main

        with pytest.raises(SystemExit) as exit_request:
            main(["--lang", "en", "watch", "telegram", *args])
        captured = self.capsys.readouterr()
        code = exit_request.value.code
        return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.fixture
def watch(
    home_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Watch:
    return Watch(monkeypatch, capsys, home_env)


def protect(env: dict[str, str], *paths: Path) -> str:
    case_id = new_case(env, "小美")
    run = reclaim("protect", case_id, *paths, "--attest", "self", env=env)
    assert run.returncode == 0, run.stderr
    return case_id


def queue(env: dict[str, str]) -> list[dict[str, Any]]:
    run = reclaim("review", "list", "--json", env=env)
    assert run.returncode == 0, run.stderr
    return lines(run.stdout)


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_watch_queues_one_lead_for_her_photo_then_resumes_after_the_last_message(
    watch: Watch, home_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = protect(home_env, DEMO / "astronaut.jpg")
    telegram = watch.telegram
    leak = telegram.channel(LEAK_ID, "面具公园", username="maskpark")
    reshared = jpeg("astronaut.jpg", (600, 600))
    telegram.post(leak, service=True)
    telegram.post(leak, "看看这个", photo=reshared)
    link = types.MessageEntityTextUrl(offset=0, length=2, url="https://example.org/mirror")
    telegram.post(leak, "备份 在这里", entities=[link])
    telegram.post(leak, photo=jpeg("coffee.jpg", (500, 400)), forwarded_from=types.PeerChannel(OTHER_ID))
    telegram.post(
        leak, document=(b"%PDF-1.4\n", "application/pdf", [types.DocumentAttributeFilename("a.pdf")])
    )
    telegram.post(leak, document=(b"", "video/mp4", video_attributes()), declared_size=3 * 1024**3)
    home = Path(home_env["RECLAIM_HOME"])
    before = files_under(home)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))

    code, out, err = watch("@maskpark", "--once", "--json")

    assert code == 0, err
    [batch] = lines(out)
    assert batch["source"] == "telegram-live" and batch["location"] == "https://t.me/maskpark"
    assert (batch["items"], batch["media"], batch["texts"], batch["queued"]) == (5, 2, 2, 1)
    assert batch["skipped"] == {"over_limit": 1}
    assert (batch["channel_id"], batch["first_message_id"], batch["last_message_id"]) == ("1700000001", 2, 6)
    assert telegram.downloads == [2, 4]  # no PDF, and no 3 GB video fetched to be refused
    [lead] = queue(home_env)
    assert lead["case_id"] == case_id and (lead["kind"], lead["signal"]) == ("media", "pdq")
    assert lead["source"] == {
        "platform": "telegram",
        "channel_id": "1700000001",
        "channel_title": "面具公园",
        "message_id": 2,
        "url": "https://t.me/maskpark/2",
        "posted_at": "2026-03-01T20:20:00+00:00",
    }
    # The media never touched the disk: nothing new in the home but the database, nothing in
    # the working directory (no Telethon .session file) or the temporary folder.
    after = files_under(home)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed <= {"reclaim.sqlite3", "reclaim.sqlite3-wal", "reclaim.sqlite3-shm"}
    for content in after.values():
        assert reshared[1000:1064] not in content
    assert not list((tmp_path / "cwd").iterdir()) and not list((tmp_path / "tmp").iterdir())

    telegram.post(leak, "新的帖子")
    telegram.post(leak, photo=jpeg("rocket.jpg", (500, 400)))
    code, out, err = watch("https://t.me/maskpark", "--once", "--json")

    assert code == 0, err
    [batch] = lines(out)
    assert telegram.history_requests == [0, 6]  # the second run asked only for what came after
    assert telegram.downloads == [2, 4, 8]  # no message hashed twice
    assert (batch["items"], batch["already_scanned"], batch["queued"]) == (2, 0, 0)
    assert len(queue(home_env)) == 1


def test_a_video_held_in_memory_matches_her_protected_video(watch: Watch, home_env: dict[str, str]) -> None:
    protect(home_env, VIDEOS / "pattern-hd-no-bar.mp4")
    telegram = watch.telegram
    leak = telegram.channel(LEAK_ID, "面具公园")
    other = (VIDEOS / "doorknob-hd-no-bar.mp4").read_bytes()
    telegram.post(leak, document=(other, "video/mp4", video_attributes(round_message=True)))
    telegram.post(
        leak, document=((VIDEOS / "pattern-sd-grey-bar.mp4").read_bytes(), "video/mp4", video_attributes())
    )
    telegram.post(leak, document=(other, "video/mp4", gif_attributes()))

    code, out, err = watch(str(LEAK_ID), "--once")

    assert code == 0, err
    assert "3 photos and videos hashed" in out and "1 new leads to review" in out
    [lead] = queue(home_env)
    assert (lead["source"]["message_id"], lead["signal"]) == (2, "vpdq")
    assert lead["source"]["url"] == "https://t.me/c/1700000001/2"


def test_ctrl_c_stops_after_the_current_batch_with_a_summary(watch: Watch, home_env: dict[str, str]) -> None:
    protect(home_env, DEMO / "astronaut.jpg")
    telegram = watch.telegram
    leak = telegram.channel(LEAK_ID, "面具公园", username="maskpark")
    telegram.post(leak, photo=jpeg("astronaut.jpg", (640, 640)))
    telegram.post(leak, "文字")
    telegram.post(leak, photo=jpeg("coffee.jpg", (500, 400)))
    telegram.post(leak, photo=jpeg("rocket.jpg", (500, 400)))
    telegram.interrupt_at_download = 3

    code, out, err = watch("@maskpark", "--interval", "1")

    assert code == 0, err
    assert "Stopping after the current batch" in err and NO_TRACEBACK not in err
    assert "Read 3 messages, up to message 3" in out and "Stopped." in out
    assert telegram.history_requests == [0]  # it stopped instead of checking again
    assert len(queue(home_env)) == 1

    code, out, err = watch("@maskpark", "--once")

    assert code == 0, err
    assert telegram.history_requests == [0, 3] and telegram.downloads == [1, 3, 4]


def test_a_flood_wait_is_announced_and_waited_out(watch: Watch) -> None:
    telegram = watch.telegram
    leak = telegram.channel(LEAK_ID, "面具公园", username="maskpark")
    telegram.post(leak, photo=jpeg("coffee.jpg", (500, 400)))
    telegram.fail_download[1] = flood_wait(1)

    code, out, err = watch("@maskpark", "--once")

    assert code == 0, err
    assert "Telegram asks to wait 1 second before the next request; waiting." in err
    assert "1 photos and videos hashed" in out and telegram.downloads == [1]


def test_each_failure_is_one_line_and_a_hint(
    watch: Watch, home_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    watch.telegram.channel(LEAK_ID, "面具公园", username="maskpark")

    code, _, err = watch("@nosuchchannel", "--once")
    assert code == 1 and NO_TRACEBACK not in err
    assert err.startswith("error: Telegram finds no channel @nosuchchannel that this account can read.\n")
    assert "hint: Check the name. For a private channel, join it in Telegram first" in err

    code, _, err = watch("https://example.com/maskpark", "--once")
    assert code == 1 and "is not a Telegram channel name, link or id." in err

    watch.telegram.unreachable = True
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and NO_TRACEBACK not in err
    assert "error: Telegram cannot be reached (Connection to Telegram failed 5 time(s))." in err
    assert "VPN" in err
    watch.telegram.unreachable = False

    unknown = StringSession()
    unknown.set_dc(2, "149.154.167.51", 443)
    unknown.auth_key = AuthKey(os.urandom(256))
    monkeypatch.setenv("RECLAIM_TELEGRAM_SESSION", unknown.save())
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and "is not logged in to Telegram" in err
    monkeypatch.setenv("RECLAIM_TELEGRAM_SESSION", "not a session")
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and "RECLAIM_TELEGRAM_SESSION is not a Telethon session string." in err

    monkeypatch.setenv("RECLAIM_TELEGRAM_API_HASH", "short")
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and "API hash must be 32 hexadecimal characters" in err
    monkeypatch.delenv("RECLAIM_TELEGRAM_API_ID")
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and "RECLAIM_TELEGRAM_API_ID and RECLAIM_TELEGRAM_API_HASH" in err

    monkeypatch.setitem(sys.modules, "telethon", None)  # as if the extra were not installed
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and NO_TRACEBACK not in err
    assert "hint: Install it with: pip install 'reclaim[telegram]'" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_first_login_is_kept_encrypted_in_the_vault_and_used_again(
    watch: Watch, home_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    telegram = watch.telegram
    telegram.channel(LEAK_ID, "面具公园", username="maskpark")
    for name in ("RECLAIM_TELEGRAM_SESSION", "RECLAIM_TELEGRAM_API_ID", "RECLAIM_TELEGRAM_API_HASH"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("RECLAIM_PASSPHRASE", "correct horse battery staple")
    answers = {
        "Telegram API id": "123456",
        "Telegram API hash": API["RECLAIM_TELEGRAM_API_HASH"],
        "Phone number, with its country code (such as +86 138 1234 5678)": "+86 138 1234 5678",
        "The login code Telegram sent you": "12345",
        "Your Telegram two-step verification password": "her 2FA password",
    }
    asked: list[tuple[str, bool]] = []

    def prompt(text: str, hide_input: bool = False, **_: Any) -> str:
        asked.append((text, hide_input))
        return answers[text]

    import typer

    monkeypatch.setattr(typer, "prompt", prompt)
    monkeypatch.setattr(sys, "stdin", _Terminal())

    code, out, err = watch("@maskpark", "--once")

    assert code == 0, err
    assert asked == [(text, "hash" in text or "password" in text) for text in answers]
    assert telegram.clients[-1].prompts == ["+86 138 1234 5678", "12345", "her 2FA password"]
    session = telegram.clients[-1].session.save()
    assert session in telegram.issued_sessions
    assert session not in out + err and "Logged in. The login is kept encrypted in the vault." in err
    sealed = Path(home_env["RECLAIM_HOME"]) / "vault" / "telegram-session" / "session"
    content = sealed.read_bytes()
    assert session.encode() not in content
    assert StringSession(session).auth_key.key not in content
    assert not list(tmp_path.rglob("*.session"))

    # Later runs need no terminal and ask nothing: the login comes from the vault.
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    for name, value in API.items():
        monkeypatch.setenv(name, value)
    asked.clear()
    code, _, err = watch("@maskpark", "--once", "--json")
    assert code == 0, err
    assert asked == [] and telegram.clients[-1].given_session == session

    monkeypatch.setenv("RECLAIM_PASSPHRASE", "wrong passphrase")
    code, _, err = watch("@maskpark", "--once")
    assert code == 1 and "The passphrase does not open the saved Telegram login." in err
