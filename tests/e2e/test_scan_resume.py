"""A scan killed with SIGKILL part-way and run again gives the review queue of one clean run."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from skimage import data

from tests import robust_edits
from tests.e2e.test_cli_bank import lines, new_case
from tests.e2e.test_cli_hash import reclaim
from tests.telegram_builder import ChannelExport

PHONE = "13812345678"
MESSAGES = 240


def _jpeg(image: Image.Image, path: Path) -> Path:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path


def build_export(root: Path) -> tuple[Path, Path]:
    """A long channel: her photo re-shared edited every 40 messages, her number every 45, decoys between."""
    media = root / "media"
    media.mkdir(parents=True)
    photo = Image.fromarray(data.astronaut()).convert("RGB")
    protected = _jpeg(photo, root / "her.jpg")
    edits = [
        _jpeg(robust_edits.watermarked(photo), media / "w.jpg"),
        _jpeg(photo.resize((256, 256)), media / "small.jpg"),
        _jpeg(robust_edits.bordered(photo.resize((300, 300))), media / "b.jpg"),
    ]
    decoys = [
        _jpeg(Image.fromarray(getattr(data, name)()).convert("RGB").resize((320, 240)), media / f"{name}.jpg")
        for name in ("coffee", "rocket", "chelsea", "hubble_deep_field", "immunohistochemistry")
    ]
    export = ChannelExport(root / "export", "面具公园", 1700000001)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for number in range(1, MESSAGES + 1):
        when = start + timedelta(minutes=number)
        if number % 40 == 0:
            export.photo(when, edits[(number // 40) % len(edits)])
        elif number % 45 == 0:
            export.post(when, f"她的电话 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}")
        elif number % 2 == 0:
            export.photo(when, decoys[number % len(decoys)])
        else:
            export.post(when, f"第 {number} 条 联系 139{number:08d}")
    return protected, export.write()


def setup_home(home: Path, protected: Path) -> dict[str, str]:
    env = {"RECLAIM_HOME": str(home), "RECLAIM_ACTOR": "helpline-wang"}
    assert reclaim("init", env=env).returncode == 0
    case_id = new_case(env, "小美")
    assert reclaim("protect", case_id, protected, "--attest", "self", env=env).returncode == 0
    assert reclaim("identifiers", "add", case_id, "--phone", PHONE, env=env).returncode == 0
    return env


def scanned_items(home: Path) -> int:
    try:
        with sqlite3.connect(f"file:{home / 'reclaim.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("select count(*) from scanned_items").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the table is being created, or locked for a moment


def leads(env: dict[str, str]) -> list[tuple[object, ...]]:
    run = reclaim("review", "list", "--json", env=env)
    assert run.returncode == 0, run.stderr
    return sorted(
        (lead["source"]["message_id"], lead["kind"], lead["signal"], lead["case_id"] is not None)  # type: ignore[index]
        for lead in lines(run.stdout)
    )


def test_a_killed_scan_resumes_without_rehashing_or_duplicate_leads(tmp_path: Path) -> None:
    protected, export = build_export(tmp_path / "data")
    clean_env = setup_home(tmp_path / "clean", protected)
    killed_home = tmp_path / "killed"
    killed_env = setup_home(killed_home, protected)

    environment = {**os.environ, "LANG": "C.UTF-8", **killed_env}
    command = [
        sys.executable,
        "-m",
        "reclaim",
        "--lang",
        "en",
        "scan",
        "telegram-export",
        str(export),
        "--workers",
        "1",
    ]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while scanned_items(killed_home) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the scan and its worker processes, mid-batch
    process.wait(timeout=30)
    done_before = scanned_items(killed_home)
    assert process.returncode == -signal.SIGKILL
    assert 0 < done_before < MESSAGES, "the scan must be killed part-way for this test to mean anything"

    resumed = reclaim("scan", "telegram-export", export, "--json", env=killed_env)
    clean = reclaim("scan", "telegram-export", export, "--json", env=clean_env)

    assert resumed.returncode == 0 and clean.returncode == 0, resumed.stderr + clean.stderr
    [resumed_summary], [clean_summary] = lines(resumed.stdout), lines(clean.stdout)
    assert resumed_summary["already_scanned"] == done_before
    assert (
        resumed_summary["media"] + resumed_summary["texts"] < clean_summary["media"] + clean_summary["texts"]
    )
    assert scanned_items(killed_home) == MESSAGES
    expected = leads(clean_env)
    assert len(expected) == len({*expected}) == MESSAGES // 40 + MESSAGES // 45 - MESSAGES // 360
    assert leads(killed_env) == expected
