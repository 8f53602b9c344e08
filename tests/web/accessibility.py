"""axe-core (from the npm registry, tests/web/package.json) run inside a page of the browser tests."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def ensure_axe() -> None:
    """Install axe-core at the pinned version when it is missing, so `pytest` alone sets it up.

    Several test workers may get here at once: one installs under a lock, the others wait.
    """
    if AXE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"no {AXE} and no npm: install Node.js, then run `npm ci` in tests/web")
    with (AXE.parents[2] / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE.exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"], cwd=AXE.parents[2], check=True, capture_output=True
            )


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The page's axe violations of serious or critical impact: rule id, help and the elements."""
    ensure_axe()
    # Injected by Playwright (a script element the page's own CSP cannot refuse), not by the page.
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "nodes": [node["html"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
