"""``reclaim network reincarnations | show``: which new channel continues a closed one, and the picture."""

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.network import ChannelActivity, Reason, Reincarnation


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="network",
        help=_(
            "The channels seen in scans, linked by forwards, shared media, shared handles and links, "
            "and similar titles: which new channel continues a closed one."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")
    min_score_help = _("Name a predecessor only from this score up (0 to 1).")

    @group.command(
        "reincarnations",
        help=_("List the channels that continue an earlier one, with the evidence for each link."),
    )
    def reincarnations_command(
        min_score: float = typer.Option(0.5, "--min-score", min=0.0, max=1.0, help=min_score_help),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.network import find_reincarnations, to_json

        found = find_reincarnations(_activities(), min_score)
        if json_output:
            for reincarnation in found:
                emit_json(to_json(reincarnation))
            return
        if not found:
            typer.echo(translate("No channel continues another in what has been scanned so far."))
            return
        for reincarnation in found:
            typer.echo(_describe(translate, reincarnation))

    @group.command(
        "show",
        help=_("Summarize the channel network and draw it as a picture (PNG or SVG)."),
    )
    def show_command(
        output: Optional[Path] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "-o",
            "--output",
            metavar="FILE.svg|FILE.png",
            help=_("Draw the network into this picture."),
        ),
        min_score: float = typer.Option(0.5, "--min-score", min=0.0, max=1.0, help=min_score_help),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.network import LegendText, build_graph, cjk_font, render_graph, summarize_graph

        if output is not None and output.suffix.lower() not in (".svg", ".png"):
            raise UserInputError(
                N_("A picture of the network is written as .svg or .png, not {name}."),
                hint=N_("For example: reclaim network show -o network.svg"),
                name=output.name,
            )
        graph = build_graph(_activities(), min_score)
        summary = summarize_graph(graph)
        if output is not None:
            if cjk_font() is None:
                typer.echo(
                    translate(
                        "warning: no Chinese font is installed, so Chinese titles may not show; "
                        "install fonts-noto-cjk."
                    ),
                    err=True,
                )
            legend = LegendText(
                reincarnation=translate("continues (score)"),
                forwards=translate("forwards"),
                shared_media=translate("shared media"),
                unobserved=translate("forwarded from, not scanned"),
            )
            try:
                render_graph(graph, output, legend=legend)
            except OSError as error:
                raise UserInputError(
                    N_("Cannot write {path}: {reason}"), path=str(output), reason=error.strerror or str(error)
                ) from None
        if json_output:
            emit_json(
                {
                    "channels": summary.channels,
                    "unobserved": summary.unobserved,
                    "edges": summary.edges,
                    "edges_by_kind": dict(summary.edges_by_kind),
                    "chains": [[{"id": c.id, "title": c.title} for c in chain] for chain in summary.chains],
                    "picture": str(output) if output is not None else None,
                }
            )
            return
        typer.echo(
            translate.format(
                "{channels} channels scanned, {unobserved} more only forwarded from; {edges} links "
                "({reincarnation} continuations, {forwards} forwards, {shared} shared media).",
                channels=summary.channels,
                unobserved=summary.unobserved,
                edges=summary.edges,
                reincarnation=summary.edges_by_kind.get("reincarnation", 0),
                forwards=summary.edges_by_kind.get("forwards", 0),
                shared=summary.edges_by_kind.get("shared_media", 0),
            )
        )
        for chain in summary.chains:
            typer.echo("  " + " → ".join(channel.title or channel.id for channel in chain))
        if output is not None:
            typer.echo(translate.format("Drew the network in {path}.", path=str(output)))

    app.add_typer(group)


def _activities() -> "list[ChannelActivity]":
    from reclaim.services.network import channel_activities

    with opened_store(load_settings()) as engine:
        return channel_activities(engine)


def _describe(translate: Translator, reincarnation: "Reincarnation") -> str:
    reasons = "; ".join(_reason(translate, reason) for reason in reincarnation.reasons)
    return translate.format(
        "{channel} ({channel_id}) continues {predecessor} ({predecessor_id}), score {score}: {reasons}",
        channel=reincarnation.channel.title,
        channel_id=reincarnation.channel.id,
        predecessor=reincarnation.predecessor.title,
        predecessor_id=reincarnation.predecessor.id,
        score=f"{reincarnation.score:.2f}",
        reasons=reasons,
    )


def _reason(translate: Translator, reason: "Reason") -> str:
    detail = dict(reason.detail)
    if reason.kind == "forwards":
        return translate.plural(
            "forwarded it {count} time", "forwarded it {count} times", int(detail["count"])
        )
    if reason.kind == "shared_media":
        return translate.format(
            "{count} of its {of} photos and videos also posted there", count=detail["count"], of=detail["of"]
        )
    if reason.kind == "shared_handles":
        return translate.plural(
            "mentions {count} account it also mentioned",
            "mentions {count} accounts it also mentioned",
            int(detail["count"]),
        )
    if reason.kind == "shared_links":
        return translate.plural(
            "links to {count} address it also linked to",
            "links to {count} addresses it also linked to",
            int(detail["count"]),
        )
    if reason.kind == "similar_title":
        return translate.format("similar title ({percent}%)", percent=detail["similarity_percent"])
    return translate.format("began {days} days after it went quiet", days=detail["days_after"])
