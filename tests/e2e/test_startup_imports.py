"""`reclaim hash` loads only what hashing needs: start-up counts in the speed the issue measures."""

from __future__ import annotations

import subprocess
import sys

HEAVY_FOR_HASHING = ("sqlalchemy", "alembic", "reclaim.bank.formats", "reclaim.store", "rich")


def test_building_the_command_tree_imports_no_storage_or_list_formats() -> None:
    script = (
        "import sys\n"
        "from reclaim.cli.app import build_app\n"
        "from reclaim.locale import load_translator\n"
        "build_app(load_translator('en'))\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY_FOR_HASHING!r})))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    assert run.stdout.strip() == "[]", run.stdout
