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

    command_args = strip_global_options(args)
    app = build_app(translate, command=_invoked_command(command_args))
    try:
        app(args=command_args, prog_name="reclaim", standalone_mode=True)
    except ReclaimError as error:
        if debug:
            raise
        print_error(translate, error)
        sys.exit(error.exit_code)


def run() -> None:
    """The console script and ``python -m reclaim``: run the command, then leave at once.

    Tearing the interpreter down (freeing numpy, Pillow and every module) takes tens of
    milliseconds after the work is done, which is 3 % of `reclaim hash` on a folder of photos
    (benchmarks/README.md). Nothing is left to clean up by then: files, databases and worker
    pools are closed by their context managers, so only stdout and stderr need flushing.
    """
    try:
        main()
        code = 0
    except SystemExit as exit_request:
        code = _exit_code(exit_request.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`reclaim hash ... | head`) has no reader
            code = code or 1
    os._exit(code)


def _invoked_command(args: list[str]) -> str | None:
    """The command being run, when the tree for it alone will do; None for help and the like."""
    if not args or args[0].startswith("-"):
        return None  # `reclaim`, `reclaim --help`, `reclaim --version`: the whole tree
    return args[0]


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")  # sys.exit("message") prints the message and exits 1
    return 1


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
