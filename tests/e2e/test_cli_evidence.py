"""Evidence through the real entry point, on SQLite and PostgreSQL: add, list, export, verify."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reclaim.services.screenshot import find_chromium
from tests.e2e.test_cli_bank import home_env, lines, new_case  # noqa: F401 - home_env is a fixture
from tests.e2e.test_cli_hash import jpeg_bytes, reclaim
from tests.local_tsa import LocalTsa


@pytest.fixture
def evidence_env(home_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    return {**home_env, "RECLAIM_PASSPHRASE": "her passphrase"}


def test_add_list_export_verify_and_tamper(evidence_env: dict[str, str], tmp_path: Path) -> None:
    case_id = new_case(evidence_env, "小美")
    screenshot = tmp_path / "shot.jpg"
    screenshot.write_bytes(jpeg_bytes("astronaut", (320, 240)))
    run = reclaim(
        "evidence",
        "add",
        case_id,
        "--url",
        "t.me/c/1234567/89",
        "--capture",
        screenshot,
        "--note",
        "频道在新闻报道后被删除",
        "--seen-at",
        "2026-11-25T08:00:00Z",
        "--json",
        env=evidence_env,
    )
    assert run.returncode == 0, run.stderr
    [added] = lines(run.stdout)
    entry = added["entry"]
    assert isinstance(entry, dict)
    assert entry["source"]["channel_id"] == "1234567" and entry["source"]["message_id"] == "89"
    assert entry["capture"]["pdq"] is not None and entry["recorded_by"] == "helpline-wang"
    assert added["tree_size"] == 2  # the log's "created" event, then this sighting

    listed = lines(reclaim("evidence", "list", case_id, "--json", env=evidence_env).stdout)
    assert [item["entry"]["type"] for item in listed] == ["custody", "sighting"]  # type: ignore[index]

    bundle = tmp_path / "bundle.zip"
    run = reclaim("evidence", "export", case_id, "-o", bundle, "--json", env=evidence_env)
    assert run.returncode == 0, run.stderr
    [exported] = lines(run.stdout)
    key = str(exported["bundle_key"])
    run = reclaim(
        "verify", bundle, "--bundle-key", key, "--fingerprint", str(exported["key_fingerprint"]), "--json"
    )
    assert run.returncode == 0, run.stderr
    [verdict] = lines(run.stdout)
    assert verdict["intact"] is True and verdict["captures_decrypted"] == 1 and verdict["tree_size"] == 3

    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["entries.jsonl"] = files["entries.jsonl"].replace(b"1234567", b"7654321")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    run = reclaim("verify", tampered, lang="zh")
    assert run.returncode == 3
    assert "entries.jsonl" in run.stderr and "条目 1" in run.stderr


def test_a_wrong_passphrase_and_bad_input_are_user_errors(
    evidence_env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(evidence_env, "A")
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(jpeg_bytes("coffee", (200, 150)))
    assert (
        reclaim(
            "evidence", "add", case_id, "--url", "t.me/x_channel/1", "--capture", shot, env=evidence_env
        ).returncode
        == 0
    )
    wrong = {**evidence_env, "RECLAIM_PASSPHRASE": "not hers"}
    run = reclaim("evidence", "export", case_id, "-o", tmp_path / "b.zip", env=wrong)
    assert run.returncode == 1 and "passphrase" in run.stderr
    assert not (tmp_path / "b.zip").exists()
    run = reclaim(
        "evidence", "add", case_id, "--url", "t.me/x/1", "--seen-at", "2026-11-25 08:00", env=evidence_env
    )
    assert run.returncode == 1 and "time zone" in run.stderr
    run = reclaim("evidence", "add", case_id, "--url", "ftp://x y", env=evidence_env)
    assert run.returncode == 1


def test_verify_a_hostile_zip_exits_3_with_a_reason(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("../../outside.txt", b"x")
    run = reclaim("verify", hostile, "--json")
    assert run.returncode == 3
    assert "forbidden name" in json.loads(run.stdout)["problems"][0]
    assert not (tmp_path.parent / "outside.txt").exists()
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    assert reclaim("verify", tmp_path / "junk.zip").returncode == 3


@pytest.fixture
def local_site(tmp_path: Path) -> Iterator[str]:
    """A page like Telegram's t.me/s/ preview (a photo as a CSS background), served on 127.0.0.1."""
    site = tmp_path / "site"
    (site / "s" / "maskpark").mkdir(parents=True)
    (site / "s" / "maskpark" / "5").write_bytes(
        b"<html><head><meta property='og:image' content='/media/og.jpg'></head><body>"
        b"<a class='tgme_widget_message_photo_wrap' style=\"background-image:url('/media/photo.jpg')\"></a>"
        b"<img src='/media/avatar.jpg'><img src='/media/gone.jpg'></body></html>"
    )
    (site / "media").mkdir()
    for name in ("og", "photo", "avatar"):
        (site / "media" / f"{name}.jpg").write_bytes(jpeg_bytes("rocket", (64, 48)) + name.encode())
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, "": "text/html"}  # noqa: RUF012

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_archive_stores_the_page_and_its_images_as_a_sealed_warc(
    evidence_env: dict[str, str], tmp_path: Path, local_site: str
) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from warcio.archiveiterator import ArchiveIterator

    case_id = new_case(evidence_env, "B")
    no_browser = tmp_path / "empty-path"
    no_browser.mkdir()
    run = reclaim(
        "evidence",
        "add",
        case_id,
        "--url",
        f"{local_site}/s/maskpark/5",
        "--archive",
        "--json",
        env={**evidence_env, "PATH": str(no_browser)},  # no Chromium: the archive alone
    )
    assert run.returncode == 0, run.stderr
    archive = lines(run.stdout)[0]["entry"]["archive"]  # type: ignore[index]
    assert archive["outcome"] == "archived" and archive["http_status"] == 200
    assert (archive["resources"], archive["failed_resources"]) == (3, 1)
    assert archive["screenshot"]["outcome"] == "not_taken" and "sha256" not in archive["screenshot"]
    assert "no Chromium on PATH" in archive["screenshot"]["reason"]
    assert "no full-page screenshot was taken" in run.stderr

    bundle = tmp_path / "b.zip"
    exported = lines(reclaim("evidence", "export", case_id, "-o", bundle, "--json", env=evidence_env).stdout)[
        0
    ]
    key = str(exported["bundle_key"])
    verdict = lines(reclaim("verify", bundle, "--bundle-key", key, "--json").stdout)[0]
    assert verdict["intact"] is True and verdict["captures_decrypted"] == 1, verdict

    with zipfile.ZipFile(bundle) as archive_zip:
        manifest = json.loads(archive_zip.read("manifest.json"))
        [item] = manifest["captures"]
        sealed = archive_zip.read(item["file"])
    aad = f"reclaim-bundle-capture/1:{item['leaf_index']}:{item['file']}".encode()
    warc = AESGCM(bytes.fromhex(key)).decrypt(sealed[:12], sealed[12:], aad)
    responses = {
        record.rec_headers.get_header("WARC-Target-URI").rsplit("/", 1)[
            -1
        ]: record.http_headers.get_statuscode()
        for record in ArchiveIterator(io.BytesIO(warc))
        if record.rec_type == "response"
    }
    assert responses == {
        "5": "200",
        "photo.jpg": "200",
        "og.jpg": "200",
        "avatar.jpg": "200",
        "gone.jpg": "404",
    }
    # Nothing of the page or its images is in the clear anywhere in the home.
    photo = (tmp_path / "site" / "media" / "photo.jpg").read_bytes()
    probe = photo[len(photo) // 2 : len(photo) // 2 + 24]
    for path in Path(evidence_env["RECLAIM_HOME"]).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert probe not in content and b"tgme_widget_message_photo_wrap" not in content, path


@pytest.fixture
def long_page(local_site: str, tmp_path: Path) -> str:
    """A page far taller than the viewport, with something to see at its bottom."""
    (tmp_path / "site" / "long").write_bytes(
        b"<html><body style='margin:0;background:#fff'><h1>Mask Park</h1>"
        b"<div style='height:3000px;background:linear-gradient(#fff,#36c)'></div>"
        b"<p>end of the page</p><img src='/media/photo.jpg'></body></html>"
    )
    return f"{local_site}/long"


@pytest.mark.skipif(find_chromium() is None, reason="needs Chromium on PATH (.ci/apt-packages.txt)")
def test_archive_takes_a_stamped_full_page_screenshot_with_chromium(
    evidence_env: dict[str, str], tmp_path: Path, long_page: str
) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from PIL import Image

    case_id = new_case(evidence_env, "F")
    run = reclaim("evidence", "add", case_id, "--url", long_page, "--archive", "--json", env=evidence_env)
    assert run.returncode == 0, run.stderr
    archive = lines(run.stdout)[0]["entry"]["archive"]  # type: ignore[index]
    shot = archive["screenshot"]
    assert shot["outcome"] == "taken", shot
    assert shot["format"] == "PNG" and shot["browser"].startswith("Chromium") and not shot["truncated"]

    bundle = tmp_path / "shot.zip"
    run = reclaim("evidence", "export", case_id, "-o", bundle, "--json", env=evidence_env)
    assert run.returncode == 0, run.stderr
    key = str(lines(run.stdout)[0]["bundle_key"])
    verdict = lines(reclaim("verify", bundle, "--bundle-key", key, "--json").stdout)[0]
    assert verdict["intact"] is True and verdict["captures_decrypted"] == 2, verdict
    with zipfile.ZipFile(bundle) as archive_zip:
        manifest = json.loads(archive_zip.read("manifest.json"))
        [item] = [item for item in manifest["captures"] if item["kind"] == "screenshot"]
        sealed = archive_zip.read(item["file"])
    aad = f"reclaim-bundle-capture/1:{item['leaf_index']}:{item['file']}".encode()
    png = AESGCM(bytes.fromhex(key)).decrypt(sealed[:12], sealed[12:], aad)
    assert hashlib.sha256(png).hexdigest() == shot["sha256"] == item["plaintext_sha256"]

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (shot["width"], shot["height"])
        assert image.height > 3000  # the whole page, not the 800-pixel viewport
        assert image.text["URL"] == long_page and image.text["Creation Time"] == shot["taken_at"]  # type: ignore[attr-defined]
        band = image.convert("L").crop((0, 0, image.width, 30))
        low, high = band.getextrema()  # type: ignore[misc]
        assert low < 64 and high > 192  # dark text on the white stamp band
    # The screenshot is sealed: none of its bytes are in the clear anywhere in the home.
    probe = png[len(png) // 2 : len(png) // 2 + 32]
    for path in Path(evidence_env["RECLAIM_HOME"]).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert probe not in content and b"\x89PNG" not in content, path


def test_a_failed_screenshot_is_recorded_as_an_attempt(
    evidence_env: dict[str, str], tmp_path: Path, local_site: str
) -> None:
    broken = tmp_path / "broken-bin"
    broken.mkdir()
    (broken / "chromium").write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 1\n")
    (broken / "chromium").chmod(0o755)
    case_id = new_case(evidence_env, "G")
    run = reclaim(
        "evidence",
        "add",
        case_id,
        "--url",
        f"{local_site}/s/maskpark/5",
        "--archive",
        "--json",
        env={**evidence_env, "PATH": str(broken)},
    )
    assert run.returncode == 0, run.stderr
    archive = lines(run.stdout)[0]["entry"]["archive"]  # type: ignore[index]
    assert archive["outcome"] == "archived" and "sha256" in archive
    assert archive["screenshot"]["outcome"] == "failed" and "sha256" not in archive["screenshot"]
    assert "no full-page screenshot was taken" in run.stderr
    bundle = tmp_path / "b.zip"
    run = reclaim("evidence", "export", case_id, "-o", bundle, "--json", env=evidence_env)
    assert lines(run.stdout)[0]["captures"] == 1  # the WARC only


def test_a_failed_fetch_is_recorded_as_an_attempt_not_as_evidence(
    evidence_env: dict[str, str], local_site: str
) -> None:
    case_id = new_case(evidence_env, "C")
    run = reclaim(
        "evidence", "add", case_id, "--url", f"{local_site}/s/gone/1", "--archive", "--json", env=evidence_env
    )
    assert run.returncode == 0, run.stderr
    assert "could not be archived" in run.stderr and "404" in run.stderr
    archive = lines(run.stdout)[0]["entry"]["archive"]  # type: ignore[index]
    assert archive["outcome"] == "failed" and "sha256" not in archive and "404" in archive["reason"]
    vault_files = [p for p in (Path(evidence_env["RECLAIM_HOME"]) / "vault").rglob("*") if p.is_file()]
    assert all(p.name == "case-key.json" for p in vault_files)


def test_tree_heads_time_stamped_by_a_local_authority_verify_and_openssl_agrees(
    evidence_env: dict[str, str], tmp_path: Path, local_tsa: LocalTsa
) -> None:
    case_id = new_case(evidence_env, "D")
    run = reclaim(
        "evidence",
        "add",
        case_id,
        "--url",
        "t.me/maskpark/1",
        "--tsa",
        local_tsa.url,
        "--json",
        env=evidence_env,
    )
    assert run.returncode == 0, run.stderr
    stamped = lines(run.stdout)[0]["timestamp"]
    assert isinstance(stamped, dict) and "Reclaim Test TSA" in str(stamped["authority"]), run.stderr
    bundle = tmp_path / "stamped.zip"
    run = reclaim(
        "evidence",
        "export",
        case_id,
        "-o",
        bundle,
        "--redact",
        "--tsa",
        local_tsa.url,
        "--json",
        env=evidence_env,
    )
    assert run.returncode == 0, run.stderr
    assert lines(run.stdout)[0]["timestamps"] == 1

    run = reclaim("verify", bundle, "--tsa-root", local_tsa.root_pem, "--json")
    assert run.returncode == 0, run.stderr
    [stamp] = lines(run.stdout)[0]["timestamps"]  # type: ignore[misc]
    assert stamp["chain_verified"] is True and stamp["tree_size"] == 3
    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    [token] = [name for name in files if name.endswith(".tsr")]
    head = token.rsplit("-", 1)[0] + ".json"
    folder = tmp_path / "unzipped"
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    check = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            folder / head,
            "-in",
            folder / token,
            "-CAfile",
            local_tsa.root_pem,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and "Verification: OK" in check.stdout, check.stdout + check.stderr
    # A certificate that is not the authority's root does not vouch for this time-stamp.
    run = reclaim("verify", bundle, "--tsa-root", local_tsa.root_pem.parent / "tsa.pem", "--json")
    assert run.returncode == 3, run.stdout


def test_an_unreachable_authority_is_a_warning_and_the_entry_stays(evidence_env: dict[str, str]) -> None:
    case_id = new_case(evidence_env, "E")
    run = reclaim(
        "evidence",
        "add",
        case_id,
        "--url",
        "t.me/maskpark/2",
        "--tsa",
        "http://127.0.0.1:9/tsa",
        env=evidence_env,
    )
    assert run.returncode == 0 and "no time-stamp" in run.stderr
    assert len(lines(reclaim("evidence", "list", case_id, "--json", env=evidence_env).stdout)) == 2
