"""Where the project's shared reference data lives: ``../shared/`` beside the checkout.

The conformance images and clips come from Meta's ThreatExchange (see its README); they are
too large to copy into the repository, so the tests find them. RECLAIM_SHARED_DIR overrides
the search, for a checkout kept elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
_CANDIDATES = [
    Path(os.environ["RECLAIM_SHARED_DIR"]) if os.environ.get("RECLAIM_SHARED_DIR") else None,
    _REPO.parent / "shared",
    Path("/work/shared"),
]


def _find_shared() -> Path:
    for candidate in _CANDIDATES:
        if candidate is not None and (candidate / "conformance" / "expected_pdq.csv").is_file():
            return candidate
    searched = ", ".join(str(c) for c in _CANDIDATES if c is not None)
    raise FileNotFoundError(
        f"shared conformance data not found (looked in {searched}); set RECLAIM_SHARED_DIR"
    )


SHARED = _find_shared()
CONFORMANCE = SHARED / "conformance"
VIDEOS = CONFORMANCE / "video"
