"""``reclaim protect CASE PATH...``: hash her photos and videos into her case's bank."""

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Optional

import typer

from reclaim.cli.media_input import FailureTally, media_files
from reclaim.cli.output import emit_json, warn_about_lines
from reclaim.cli.progress import progress_bar
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.bank.entries import Attestation
    from reclaim.config import Settings
    from reclaim.services.protect import ProtectedItem


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "protect",
        help=_(
            "Protect photos and videos: their hashes go into the case's bank so that copies can be "
            "found. The files themselves are never copied or uploaded."
        ),
    )
    def protect_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=_("The case's id or exact title.")),
        paths: Optional[list[Path]] = typer.Argument(  # noqa: UP045 - Typer reads the annotation
            None,
            metavar="PATH...",
            show_default=False,
            help=_("Photos, videos or folders (searched recursively)."),
        ),
        hashes: Optional[Path] = typer.Option(  # noqa: UP045
            None,
            "--hashes",
            metavar="FILE",
            help=_(
                "Hashes made elsewhere (the offline page, another installation) instead of files: a "
                "hash list in any format `reclaim bank import` reads."
            ),
        ),
        from_found: bool = typer.Option(
            False,
            "--from-found",
            help=_(
                "The files are copies found online that show her (for example hidden-camera images she "
                "never had), not her own originals."
            ),
        ),
        attest: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--attest",
            metavar="self|on-behalf",
            help=_(
                "Confirm who is submitting: self (I am the person shown) or on-behalf (I act for her "
                "with her consent). Asked for when not given."
            ),
        ),
        json_output: bool = typer.Option(
            False, "--json", help=_("Print one JSON object per file and nothing else.")
        ),
        workers: int = typer.Option(
            0, "--workers", min=0, help=_("Processes to use; 0 uses every CPU core.")
        ),
    ) -> None:
        if bool(paths) == (hashes is not None):
            raise UserInputError(
                N_("Give either files and folders to protect, or --hashes FILE, not both or neither.")
            )
        attestation = _attestation(translate, attest, interactive=not json_output)
        settings = load_settings()
        if hashes is not None:
            _protect_hashes(translate, settings, case_ref, hashes, attestation, json_output)
        else:
            assert paths is not None
            options = _FileOptions(attestation, from_found, workers or None, json_output)
            _protect_files(translate, settings, case_ref, paths, options)


class _FileOptions(NamedTuple):
    attestation: "Attestation"
    from_found: bool
    workers: int | None
    json_output: bool


def _protect_files(
    translate: Translator, settings: "Settings", case_ref: str, paths: list[Path], options: _FileOptions
) -> None:
    from reclaim.services.cases import resolve_case
    from reclaim.services.hashing import HashFailure
    from reclaim.services.protect import protect_files

    files = media_files(translate, paths)
    failures = FailureTally(translate)
    protected = 0
    with opened_store(settings) as engine:
        case = resolve_case(engine, case_ref)
        outcomes = protect_files(
            engine,
            settings,
            case,
            files,
            attestation=options.attestation,
            from_found=options.from_found,
            workers=options.workers,
        )
        with progress_bar(translate, translate("Protecting"), len(files)) as advance:
            for outcome in outcomes:
                advance()
                if isinstance(outcome, HashFailure):
                    failures.record(outcome.error)
                    continue
                protected += 1
                _report_item(translate, outcome, options.json_output)
    if not options.json_output:
        typer.echo(
            translate.plural(
                "{count} file protected in case {case_id}. Nothing was copied.",
                "{count} files protected in case {case_id}. Nothing was copied.",
                protected,
                case_id=case.id,
            )
        )
    failures.finish(protected)


def _report_item(translate: Translator, item: "ProtectedItem", json_output: bool) -> None:
    if item.low_quality:
        typer.echo(
            translate.format(
                "warning: {path} is too plain or small for a reliable photo hash "
                "(quality {quality}); it is kept but not matched unless asked.",
                path=item.path,
                quality=item.pdq_quality,
            ),
            err=True,
        )
    if json_output:
        emit_json(item.to_json())
    elif item.already_protected:
        typer.echo(translate.format("{path}: already protected.", path=item.path))
    else:
        typer.echo(translate.format("{path}: protected.", path=item.path))


def _attestation(translate: Translator, given: str | None, *, interactive: bool) -> "Attestation":
    from reclaim.bank.entries import Attestation

    if given is not None:
        try:
            return Attestation(given)
        except ValueError:
            raise UserInputError(
                N_("--attest must be self or on-behalf, not {value}."), value=given
            ) from None
    import sys

    if not (interactive and sys.stdin.isatty()):
        raise UserInputError(
            N_("Say who is submitting these hashes with --attest self or --attest on-behalf."),
            hint=N_("self: I am the person shown. on-behalf: I act for her with her consent."),
        )
    answer = typer.prompt(
        translate("Are you the person shown (self), or acting for her with her consent (on-behalf)?"),
        default="self",
    )
    return _attestation(translate, answer.strip(), interactive=False)


def _protect_hashes(
    translate: Translator,
    settings: "Settings",
    case_ref: str,
    path: Path,
    attestation: "Attestation",
    json_output: bool,
) -> None:
    from reclaim.services.cases import resolve_case
    from reclaim.services.exchange import protect_from_hashes

    with opened_store(settings) as engine:
        case = resolve_case(engine, case_ref)
        summary = protect_from_hashes(engine, settings, case, path, attestation=attestation)
    warn_about_lines(translate, summary.problems)
    if json_output:
        emit_json({"case_id": case.id, **summary.to_json()})
        return
    typer.echo(
        translate.format(
            "Case {case_id}: {added} hashes added, {present} already protected.",
            case_id=case.id,
            added=summary.added,
            present=summary.already_present,
        )
    )
