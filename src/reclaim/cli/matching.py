"""``reclaim match PATH_OR_PDQHEX...``: is this photo, video or hash in a bank?"""

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.media_input import FailureTally, media_files
from reclaim.cli.output import emit_json
from reclaim.cli.progress import progress_bar
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.bank.snapshot import BankSnapshot
    from reclaim.config import Settings
    from reclaim.services.matching import QueryResult


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "match",
        help=_(
            "Check photos, videos or hashes against the banks. A match is a lead for a person to "
            "review, never proof on its own."
        ),
    )
    def match_command(
        queries: list[str] = typer.Argument(
            ...,
            metavar="PATH_OR_PDQHEX...",
            show_default=False,
            help=_(
                "Files, folders, or hashes: 64 hex digits (PDQ), 32 (MD5), or sha256:HEX, md5:HEX, pdq:HEX."
            ),
        ),
        case_ref: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--case", metavar="CASE", help=_("Match against this case's bank only.")
        ),
        include_low_quality: bool = typer.Option(
            False,
            "--include-low-quality",
            help=_("Also match against low-quality photo hashes (plain or tiny pictures; more false leads)."),
        ),
        json_output: bool = typer.Option(
            False, "--json", help=_("Print one JSON object per query and nothing else.")
        ),
        workers: int = typer.Option(
            0, "--workers", min=0, help=_("Processes to use; 0 uses every CPU core.")
        ),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.matching import load_bank, match_hash, parse_hash_query

        settings = load_settings()
        hashes, paths = _split_queries(queries)
        with opened_store(settings) as engine:
            case_id = resolve_case(engine, case_ref).id if case_ref else None
            snapshot = load_bank(engine, include_low_quality=include_low_quality, case_id=case_id)
        for text in hashes:
            parsed = parse_hash_query(text)
            assert parsed is not None
            _show(translate, match_hash(snapshot, text, *parsed), json_output)
        if paths:
            _match_files(
                translate, snapshot, settings, paths, json_output=json_output, workers=workers or None
            )


def _match_files(
    translate: Translator,
    snapshot: "BankSnapshot",
    settings: "Settings",
    paths: list[Path],
    *,
    json_output: bool,
    workers: int | None,
) -> None:
    from reclaim.services.hashing import HashFailure
    from reclaim.services.matching import match_files

    files = media_files(translate, paths)
    failures = FailureTally(translate)
    matched = 0
    with progress_bar(translate, translate("Matching"), len(files)) as advance:
        for outcome in match_files(snapshot, files, settings, workers=workers):
            advance()
            if isinstance(outcome, HashFailure):
                failures.record(outcome.error)
            else:
                matched += 1
                _show(translate, outcome, json_output)
    failures.finish(matched)


def _split_queries(queries: list[str]) -> tuple[list[str], list[Path]]:
    from reclaim.services.matching import parse_hash_query

    hashes: list[str] = []
    paths: list[Path] = []
    for text in queries:
        path = Path(text)
        if path.exists():
            paths.append(path)
        elif parse_hash_query(text) is not None:
            hashes.append(text)
        else:
            raise UserInputError(
                N_("{query} is neither a file nor a hash."),
                hint=N_("Give a photo, a video, a folder, or a hash such as 64 hex digits (PDQ)."),
                query=text,
            )
    return hashes, paths


def _show(translate: Translator, result: "QueryResult", json_output: bool) -> None:
    if json_output:
        emit_json(result.to_json())
        return
    if not result.matches:
        typer.echo(translate.format("{query}: no match", query=result.query))
        return
    typer.echo(
        translate.plural(
            "{query}: {count} match (to review)",
            "{query}: {count} matches (to review)",
            len(result.matches),
            query=result.query,
        )
    )
    for hit in result.matches:
        typer.echo(
            "  "
            + translate.format(
                "case {case} · entry #{entry} · {signal} · distance {distance} · via {via}",
                case=hit.case_id or hit.bank,
                entry=hit.entry_id,
                signal=hit.signal,
                distance=hit.distance,
                via=hit.via,
            )
        )
