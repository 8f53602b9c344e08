"""``reclaim evidence add|list|export`` and ``reclaim verify``: preserve sightings, hand over bundles."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.passphrase import open_vault
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError, VerificationError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from sqlalchemy import Engine

    from reclaim.errors import ReclaimError


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="evidence",
        help=_(
            "Preserve sightings in the case's signed, append-only log and export bundles that police, "
            "courts and platforms can check offline."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")
    case_help = _("The case's id or exact title.")

    @group.command(
        "add",
        help=_(
            "Record where and when content was seen. The entry is signed into the case's log at once; a "
            "capture is stored encrypted in the vault."
        ),
    )
    def add_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=case_help),
        url: str = typer.Option(..., "--url", help=_("Where it was seen, such as https://t.me/channel/123.")),
        capture: Optional[Path] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--capture", metavar="FILE", help=_("A screenshot or saved file of what was seen.")
        ),
        note: Optional[str] = typer.Option(  # noqa: UP045
            None, "--note", metavar="TEXT", help=_("A note for the record.")
        ),
        archive: bool = typer.Option(
            False,
            "--archive",
            help=_(
                "Also fetch the page and its images into a web archive (WARC) and, where Chromium is "
                "installed, take a full-page screenshot stamped with the URL and time; both are stored "
                "encrypted. A fetch or screenshot that fails is recorded as a failed attempt."
            ),
        ),
        seen_at: Optional[str] = typer.Option(  # noqa: UP045
            None,
            "--seen-at",
            metavar="ISO8601",
            help=_("When it was seen, with the time zone (the time of recording is always kept as well)."),
        ),
        tsa: Optional[str] = typer.Option(  # noqa: UP045
            None,
            "--tsa",
            metavar="URL",
            help=_("Also have the new tree head time-stamped (RFC 3161) by this time-stamping authority."),
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.evidence import SightingRequest, add_sighting

        settings = load_settings()
        with opened_store(settings) as engine:
            case = resolve_case(engine, case_ref)
            vault = open_vault(translate, settings) if capture is not None or archive else None
            request = SightingRequest(url=url, capture=capture, note=note, seen_at=seen_at, archive=archive)
            recorded = add_sighting(engine, settings, case.id, request, vault)
            stamped = _stamp(translate, engine, case.id, tsa) if tsa else None
        if recorded.archive_failure is not None:
            sys.stderr.write(
                translate.format(
                    "warning: the page could not be archived ({reason}); the sighting was recorded with "
                    "this failed attempt and no archive.",
                    reason=recorded.archive_failure,
                )
                + "\n"
            )
        if recorded.screenshot_failure is not None:
            sys.stderr.write(
                translate.format(
                    "warning: no full-page screenshot was taken ({reason}); the archive was recorded "
                    "without one.",
                    reason=recorded.screenshot_failure,
                )
                + "\n"
            )
        if json_output:
            emit_json({**recorded.to_json(), **({"timestamp": stamped} if tsa else {})})
            return
        typer.echo(
            translate.format(
                "Recorded entry {index} in the log of case {case_id}; the log now has {size} entries, "
                "root {root}.",
                index=recorded.leaf_index,
                case_id=case.id,
                size=recorded.tree_size,
                root=recorded.root_hash,
            )
        )

    @group.command("list", help=_("List the entries of a case's evidence log."))
    def list_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=case_help),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.evidence import list_entries

        with opened_store(load_settings()) as engine:
            case = resolve_case(engine, case_ref)
            entries = list_entries(engine, case.id)
        if json_output:
            for recorded in entries:
                emit_json(recorded.to_json())
            return
        if not entries:
            typer.echo(
                translate("No evidence recorded yet. Add some with `reclaim evidence add CASE --url URL`.")
            )
        for recorded in entries:
            entry = recorded.entry
            if entry.get("type") == "sighting":
                source = entry.get("source") or {}
                capture = translate("with capture") if entry.get("capture") else ""
                typer.echo(
                    f"#{recorded.leaf_index:<5} {entry.get('recorded_at')}  {source.get('url')}  {capture}"
                )
            else:
                typer.echo(
                    f"#{recorded.leaf_index:<5} {entry.get('at')}  "
                    + translate.format(
                        "custody: {event} by {who}", event=entry.get("event"), who=entry.get("by")
                    )
                )

    _register_export(group, translate)
    app.add_typer(group)
    _register_verify(app, translate)


def _register_export(group: typer.Typer, translate: Translator) -> None:
    _ = translate
    json_help = _("Print JSON lines and nothing else.")
    case_help = _("The case's id or exact title.")

    @group.command(
        "export",
        help=_(
            "Write a bundle of the case's whole log, with proofs, the public key and the captures, that "
            "anyone can verify offline."
        ),
    )
    def export_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=case_help),
        output: Path = typer.Option(
            ..., "-o", "--output", metavar="BUNDLE.zip", help=_("The bundle to write.")
        ),
        redact: bool = typer.Option(
            False,
            "--redact",
            help=_(
                "Blur the captures instead of sealing them, for sharing with people who must not see them."
            ),
        ),
        tsa: Optional[str] = typer.Option(  # noqa: UP045
            None,
            "--tsa",
            metavar="URL",
            help=_("Also have the new tree head time-stamped (RFC 3161) by this time-stamping authority."),
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.evidence import export_bundle
        from reclaim.store.evidence import read_captures

        settings = load_settings()
        with opened_store(settings) as engine:
            case = resolve_case(engine, case_ref)
            vault = open_vault(translate, settings) if read_captures(engine, case.id) else None
            exported = export_bundle(
                engine, settings, case.id, output, redact=redact, vault=vault, tsa_url=tsa
            )
        if exported.timestamp_failure is not None:
            _warn_timestamp(translate, exported.timestamp_failure)
        if json_output:
            emit_json(exported.to_json())
            return
        typer.echo(
            translate.format(
                "Wrote {path}: {entries} entries, {captures} captures, root {root}.",
                path=exported.path,
                entries=exported.entries,
                captures=exported.captures,
                root=exported.root_hash,
            )
        )
        typer.echo(
            translate.format("Signing key fingerprint: {fingerprint}", fingerprint=exported.key_fingerprint)
        )
        if exported.bundle_key is not None:
            typer.echo(
                translate.format(
                    "Bundle key, shown only now (give it to the recipient separately, never with the "
                    "bundle): {key}",
                    key=exported.bundle_key,
                )
            )


def _register_verify(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    json_help = _("Print JSON lines and nothing else.")

    @app.command(
        "verify",
        help=_(
            "Check an evidence bundle offline: signatures, file digests, the Merkle tree and every proof. "
            "Exits with 3 when anything is wrong."
        ),
    )
    def verify_command(
        bundle: Path = typer.Argument(..., metavar="BUNDLE.zip", help=_("The bundle to check.")),
        fingerprint: Optional[str] = typer.Option(  # noqa: UP045
            None,
            "--fingerprint",
            metavar="HEX",
            help=_("The signing key fingerprint you were given separately; the bundle must be signed by it."),
        ),
        extends: Optional[Path] = typer.Option(  # noqa: UP045
            None,
            "--extends",
            metavar="EARLIER.zip",
            help=_("An earlier bundle of the same case: check that this bundle's log extends it unchanged."),
        ),
        bundle_key: Optional[str] = typer.Option(  # noqa: UP045
            None,
            "--bundle-key",
            metavar="HEX",
            help=_("The bundle key: also decrypt each capture and check it against its entry."),
        ),
        tsa_root: Optional[Path] = typer.Option(  # noqa: UP045
            None,
            "--tsa-root",
            metavar="PEM",
            help=_(
                "The time-stamping authority's root certificates: also check the time-stamps' signatures."
            ),
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.evidence.verify import verify_bundle, verify_extension

        key = _bundle_key(bundle_key)
        roots = _certificates(tsa_root) if tsa_root is not None else []
        report = verify_bundle(bundle, expected_fingerprint=fingerprint, bundle_key=key, tsa_roots=roots)
        problems = list(report.problems)
        if extends is not None:
            earlier = verify_bundle(extends, expected_fingerprint=fingerprint)
            problems += [*earlier.problems, *verify_extension(earlier, report)] if report.intact else []
        messages = [translate.format(problem.message, **problem.params) for problem in problems]
        if json_output:
            emit_json(
                {
                    "bundle": str(bundle),
                    "intact": not problems,
                    "case_id": report.case_id,
                    "key_fingerprint": report.key_fingerprint,
                    "tree_size": report.tree_size,
                    "root_hash": report.root_hash,
                    "captures": report.captures,
                    "captures_decrypted": report.captures_decrypted,
                    "timestamps": report.timestamps,
                    "problems": messages,
                }
            )
        else:
            for message in messages:
                sys.stderr.write(translate.format("problem: {message}", message=message) + "\n")
        if problems:
            raise VerificationError(
                N_("{file} did not verify: {count} problems found."), file=bundle.name, count=len(problems)
            )
        if not json_output:
            typer.echo(
                translate.format(
                    "{file} is intact: {size} entries of case {case_id}, root {root}, signed by key "
                    "{fingerprint}.",
                    file=bundle.name,
                    size=report.tree_size,
                    case_id=report.case_id,
                    root=report.root_hash,
                    fingerprint=report.key_fingerprint,
                )
            )
            for stamp in report.timestamps:
                typer.echo(
                    translate.format(
                        "Tree head {size} existed by {time}, time-stamped by {authority}.",
                        size=stamp["tree_size"],
                        time=stamp["gen_time"],
                        authority=stamp["authority"],
                    )
                    + (
                        ""
                        if stamp["chain_verified"]
                        else " " + translate("(Its signature was not checked: give --tsa-root.)")
                    )
                )
            if fingerprint is None:
                typer.echo(translate("Compare the key fingerprint with the one you were given separately."))


def _stamp(translate: Translator, engine: "Engine", case_id: str, tsa_url: str) -> dict[str, object] | None:
    from reclaim.services.timestamps import TimestampFailedError, stamp_latest_head

    try:
        checked = stamp_latest_head(engine, case_id, tsa_url)
    except TimestampFailedError as error:
        _warn_timestamp(translate, error)
        return None
    return {"gen_time": checked.gen_time.isoformat(), "authority": checked.authority}


def _warn_timestamp(translate: Translator, error: "ReclaimError") -> None:
    reason = translate.format(error.message, **error.params)
    sys.stderr.write(
        translate.format(
            "warning: no time-stamp ({reason}); the evidence is recorded and signed without one.",
            reason=reason,
        )
        + "\n"
    )


def _certificates(path: Path) -> list["Certificate"]:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        raise UserInputError(N_("{path} is not a file of PEM certificates."), path=str(path)) from None


def _bundle_key(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise UserInputError(N_("The bundle key must be 64 hex characters."))
    return key
