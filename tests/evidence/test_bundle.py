"""Bundles from the real service on SQLite and PostgreSQL: they verify, and no tampering goes unseen."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from skimage import data

from reclaim.config import Settings
from reclaim.evidence.verify import BundleReport, verify_bundle, verify_extension
from reclaim.services.cases import new_case
from reclaim.services.evidence import SightingRequest, add_sighting, export_bundle
from reclaim.services.home import initialize_home, open_store

PASSPHRASE = "a long passphrase she chose"


@dataclass(frozen=True)
class Exported:
    settings: Settings
    case_id: str
    bundle: Path
    key: bytes
    capture: bytes


def capture_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(data.coffee()).resize((200, 150)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def export_case(
    settings: Settings, tmp_path: Path, *, sightings: int = 3, name: str = "bundle.zip"
) -> Exported:
    from reclaim.evidence.vault import Vault

    settings = replace(settings, passphrase=PASSPHRASE, actor="helpline-wang")
    initialize_home(settings)
    capture = capture_bytes()
    (tmp_path / "screenshot.jpg").write_bytes(capture)
    engine = open_store(settings)
    try:
        case = new_case(engine, "小美", actor=settings.actor)
        vault = Vault(settings.vault_path, PASSPHRASE)
        for number in range(sightings):
            request = SightingRequest(
                url=f"https://t.me/s/maskpark/{100 + number}",
                capture=tmp_path / "screenshot.jpg" if number == 0 else None,
                note="频道截图" if number == 0 else None,
                seen_at="2026-11-25T09:30+08:00",
            )
            add_sighting(engine, settings, case.id, request, vault)
        exported = export_bundle(engine, settings, case.id, tmp_path / name, redact=False, vault=vault)
    finally:
        engine.dispose()
    assert exported.bundle_key is not None
    return Exported(settings, case.id, exported.path, bytes.fromhex(exported.bundle_key), capture)


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes] | list[tuple[str, bytes]], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items() if isinstance(files, dict) else files:
            archive.writestr(name, content)
    return path


def messages(report: BundleReport) -> str:
    return " | ".join(problem.message.format(**problem.params) for problem in report.problems)


@pytest.fixture
def exported(settings: Settings, tmp_path: Path) -> Exported:
    return export_case(settings, tmp_path)


@pytest.fixture
def sqlite_exported(tmp_path: Path) -> Exported:
    home = tmp_path / "home"
    return export_case(Settings(home=home, database_url=f"sqlite:///{home / 'reclaim.sqlite3'}"), tmp_path)


def test_exported_bundle_verifies_and_its_capture_opens_with_the_bundle_key(exported: Exported) -> None:
    report = verify_bundle(exported.bundle, bundle_key=exported.key)
    assert report.intact, messages(report)
    # created, three sightings, exported
    assert (report.case_id, report.tree_size, report.captures, report.captures_decrypted) == (
        exported.case_id,
        5,
        1,
        1,
    )
    files = members(exported.bundle)
    lines = files["entries.jsonl"].decode().splitlines()
    assert '"event":"created"' in lines[0] and '"event":"exported"' in lines[-1]
    assert '"channel":"maskpark"' in lines[1] and '"message_id":"100"' in lines[1]
    wrong = verify_bundle(exported.bundle, bundle_key=bytes(32))
    assert "does not open with the bundle key" in messages(wrong)


def test_flipping_any_byte_of_any_signed_file_fails(sqlite_exported: Exported, tmp_path: Path) -> None:
    original = members(sqlite_exported.bundle)
    checked = 0
    for name, content in original.items():
        if name == "VERIFY.md" or not content:
            continue
        # Every byte of the small files; evenly spread bytes (and both ends) of the larger ones.
        step = 1 if len(content) <= 400 else len(content) // 150
        for position in {*range(0, len(content), step), len(content) - 1}:
            flipped = bytearray(content)
            flipped[position] ^= 0x01
            report = verify_bundle(rezip({**original, name: bytes(flipped)}, tmp_path / "flipped.zip"))
            assert not report.intact, (name, position)
            checked += 1
    assert checked > 1000
    unchanged = verify_bundle(rezip({**original, "VERIFY.md": b"changed advice"}, tmp_path / "advice.zip"))
    assert unchanged.intact


@pytest.mark.parametrize("change", ["delete", "reorder", "add", "duplicate"])
def test_deleting_reordering_or_adding_an_entry_breaks_the_signed_root(
    sqlite_exported: Exported, tmp_path: Path, change: str
) -> None:
    files = members(sqlite_exported.bundle)
    lines = files["entries.jsonl"].splitlines(keepends=True)
    if change == "delete":
        lines.pop(2)
    elif change == "reorder":
        lines[1], lines[2] = lines[2], lines[1]
    elif change == "add":
        lines.insert(2, lines[2].replace(b'"note":null', b'"note":"planted"'))
    else:
        lines.append(lines[1])
    report = verify_bundle(rezip({**files, "entries.jsonl": b"".join(lines)}, tmp_path / "changed.zip"))
    text = messages(report)
    assert "entries.jsonl was altered" in text
    assert "do not add up to the signed root hash" in text


def test_swapping_the_public_key_fails_and_a_resigned_forgery_fails_the_fingerprint(
    sqlite_exported: Exported, tmp_path: Path
) -> None:
    files = members(sqlite_exported.bundle)
    forger = Ed25519PrivateKey.generate()
    pem = forger.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    report = verify_bundle(rezip({**files, "public-key.pem": pem}, tmp_path / "swapped.zip"))
    assert "not signed by the key in public-key.pem" in messages(report)
    good = verify_bundle(sqlite_exported.bundle)
    assert good.key_fingerprint is not None
    wrong = verify_bundle(sqlite_exported.bundle, expected_fingerprint="00" * 32)
    assert "not by the expected key" in messages(wrong)
    assert verify_bundle(sqlite_exported.bundle, expected_fingerprint=good.key_fingerprint).intact


def test_replacing_a_capture_fails(sqlite_exported: Exported, tmp_path: Path) -> None:
    files = members(sqlite_exported.bundle)
    [name] = [n for n in files if n.startswith("captures/")]
    report = verify_bundle(rezip({**files, name: b"\x00" * 12 + b"another picture"}, tmp_path / "c.zip"))
    assert f"{name} was altered" in messages(report)


def test_a_later_bundle_proves_it_extends_an_earlier_one(exported: Exported, tmp_path: Path) -> None:
    from reclaim.evidence.vault import Vault

    engine = open_store(exported.settings)
    try:
        request = SightingRequest(url="https://t.me/maskpark_backup/7", note="reposted")
        add_sighting(engine, exported.settings, exported.case_id, request, None)
        vault = Vault(exported.settings.vault_path, PASSPHRASE)
        later_path = tmp_path / "later.zip"
        export_bundle(engine, exported.settings, exported.case_id, later_path, redact=True, vault=vault)
        other = new_case(engine, "another", actor="x")
        add_sighting(engine, exported.settings, other.id, SightingRequest(url="https://example.org/a"), None)
        other_path = tmp_path / "other.zip"
        export_bundle(engine, exported.settings, other.id, other_path, redact=True, vault=None)
    finally:
        engine.dispose()
    earlier, later = verify_bundle(exported.bundle), verify_bundle(later_path)
    assert later.intact, messages(later)
    assert later.extends == {5: earlier.root_hash}
    assert verify_extension(earlier, later) == []
    assert verify_extension(verify_bundle(other_path), later) != []
    # Redacted: the capture is a blurred picture, not the original.
    files = members(later_path)
    [blurred] = [content for name, content in files.items() if name.startswith("captures/")]
    assert blurred.startswith(b"\xff\xd8") and exported.capture not in blurred


def test_no_plaintext_capture_byte_under_the_home_or_in_the_bundle(exported: Exported) -> None:
    capture = exported.capture
    # Windows from the entropy-coded middle of the JPEG: headers are shared by every JPEG.
    probes = [capture[i : i + 24] for i in range(len(capture) // 4, len(capture) - 24, len(capture) // 7)]
    stored = [p for p in exported.settings.home.rglob("*") if p.is_file()]
    assert stored
    for path in [*stored, exported.bundle]:
        content = path.read_bytes()
        assert not any(probe in content for probe in probes), path
    for name, content in members(exported.bundle).items():
        assert not any(probe in content for probe in probes), name


def test_the_openssl_recipe_in_verify_md_passes_and_catches_tampering(
    sqlite_exported: Exported, tmp_path: Path
) -> None:
    files = members(sqlite_exported.bundle)
    recipe = re.search(r"```sh\n(.*?)```", files["VERIFY.md"].decode(), re.S)
    assert recipe is not None

    def run(contents: dict[str, bytes], folder: Path) -> subprocess.CompletedProcess[str]:
        for name, content in contents.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        return subprocess.run(
            ["sh", "-c", recipe.group(1)], cwd=folder, capture_output=True, text=True, check=False
        )

    (tmp_path / "good").mkdir()
    good = run(files, tmp_path / "good")
    assert good.returncode == 0, good.stdout + good.stderr
    fingerprint = verify_bundle(sqlite_exported.bundle).key_fingerprint
    assert good.stdout.count("Signature Verified Successfully") == 2
    assert f"{fingerprint} *stdin" in good.stdout and "OK: all 5 entries" in good.stdout
    lines = files["entries.jsonl"].split(b"\n")
    lines[3] = lines[3].replace(b"maskpark", b"maskpar_")
    (tmp_path / "bad").mkdir()
    bad = run({**files, "entries.jsonl": b"\n".join(lines)}, tmp_path / "bad")
    assert bad.returncode != 0
