"""Entry point: pick the reader's language first, then build and run the command tree in it."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Reclaim runs one process per core; BLAS threads on top of that only contend and spin-wait
# (measured: a 0.2 ms matrix product took 20 ms with OpenBLAS threads beside busy workers).
# This must happen before numpy is first imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from reclaim.errors import ReclaimError  # noqa: E402
from reclaim.locale import detect_language, load_translator  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    lang = detect_language(args, os.environ)
    debug = "--debug" in args
    translate = load_translator(lang)

    from reclaim.cli.app import build_app
    from reclaim.cli.output import print_error

    app = build_app(translate)
    try:
        app(args=strip_global_options(args), prog_name="reclaim", standalone_mode=True)
    except ReclaimError as error:
        if debug:
            raise
        print_error(translate, error)
        sys.exit(error.exit_code)


def strip_global_options(args: list[str]) -> list[str]:
    """Remove ``--lang X`` and ``--debug`` wherever they appear, so every command accepts them."""
    kept: list[str] = []
    skip_next = False
    for index, arg in enumerate(args):
        if skip_next:
            skip_next = False
            continue
        if arg == "--lang" and index + 1 < len(args):
            skip_next = True
            continue
        if arg.startswith("--lang=") or arg == "--debug":
            continue
        kept.append(arg)
    return kept
