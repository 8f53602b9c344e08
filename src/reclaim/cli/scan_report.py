"""What `scan` and `watch` both tell a person after a run: media skipped, hits found, leads queued."""

from collections import Counter
from collections.abc import Mapping

import typer

from reclaim.locale import Translator


def echo_findings(
    translate: Translator,
    *,
    skipped: Counter[str],
    reasons: Mapping[str, str],
    media_hits: int,
    identifier_hits: int,
    unassigned_hits: int,
    queued: int,
) -> None:
    """``reasons`` names each skip reason in the reader's language, as the source explains it."""
    for reason, count in sorted(skipped.items()):
        typer.echo(
            translate.plural(
                "Skipped {count} photo or video: {reason}.",
                "Skipped {count} photos or videos: {reason}.",
                count,
                reason=reasons.get(reason, reason),
            )
        )
    typer.echo(
        translate.format(
            "Found {media} media matches and {details} personal details; {queued} new leads to review.",
            media=media_hits,
            details=identifier_hits,
            queued=queued,
        )
    )
    if unassigned_hits:
        typer.echo(
            translate.plural(
                "{count} match is to an imported list that belongs to no case; it was not queued.",
                "{count} matches are to imported lists that belong to no case; they were not queued.",
                unassigned_hits,
            )
        )
