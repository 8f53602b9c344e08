"""The report in words: cover, summary, sightings, their details and the notices, in the reader's language.

The legal parts (what to ask platforms for, her rights, the deadline, how to verify) are in
``reports/legal.py``. Every sentence is a gettext message, so zh and en say the same thing.
"""

from __future__ import annotations

from reclaim.locale import Translator
from reclaim.reports.content import NoticeFacts, ReportContent, SightingFacts
from reclaim.reports.document import (
    Bullets,
    Cell,
    Cover,
    Document,
    Facts,
    Item,
    Paragraph,
    Section,
    Table,
)
from reclaim.reports.formatting import NOTICE_STATUSES, list_separator, platform_name, when
from reclaim.reports.legal import deadline_section, legal_request_section, rights_section, verify_section


def compose_report(content: ReportContent, translate: Translator) -> Document:
    """The whole report for ``content`` in ``translate``'s language."""
    _ = translate
    return Document(
        lang=translate.lang,
        title=translate.format("Case report: {name}", name=content.display_name),
        cover=_cover(content, translate),
        sections=(
            _summary(content, translate),
            _sightings_table(content, translate),
            _details(content, translate),
            _notices(content, translate),
            legal_request_section(content, translate),
            rights_section(content, translate),
            deadline_section(content, translate),
            verify_section(content, translate),
        ),
        footer=translate.format(
            "{name} · case {case_id} · made {date}",
            name=content.display_name,
            case_id=content.case_id,
            date=when(content.generated_at),
        ),
        contents_title=_("Contents"),
        keywords=(content.case_id,),
    )


def _cover(content: ReportContent, translate: Translator) -> Cover:
    _ = translate
    head = content.head
    log = (
        translate.format(
            "{size} entries, root hash {root}, signed {time}",
            size=head.tree_size,
            root=head.root_hash,
            time=when(head.signed_at),
        )
        if head is not None
        else _("no entries yet")
    )
    return Cover(
        kicker=_("Evidence report: intimate images shared without consent"),
        title=content.display_name,
        facts=Facts(
            (
                (_("Case"), Cell(content.case_id, code=True)),
                (_("Case opened"), Cell(when(content.case_opened_at))),
                (_("Report made"), Cell(when(content.generated_at))),
                (_("Made by"), Cell(content.generated_by)),
                (_("Sightings"), Cell(str(len(content.sightings)))),
                (_("Installation key fingerprint (SHA-256)"), Cell(content.key_fingerprint, code=True)),
                (_("Evidence log"), Cell(log, code=head is not None)),
                (_("Made with"), Cell(f"Reclaim {content.tool_version}")),
            )
        ),
        notes=(
            Paragraph(
                _(
                    "The case name is a pseudonym chosen by the person concerned. Her identity is not in "
                    "this report; she or her representative gives it to the police in person."
                )
            ),
            Paragraph(
                _(
                    "This report contains no intimate image. Each capture appears only as a small, heavily "
                    "blurred thumbnail; the captures themselves stay encrypted in the evidence vault and "
                    "in the evidence bundle."
                ),
                tone="note",
            ),
            Paragraph(_("All times are in UTC (Beijing time is UTC+8).")),
        ),
    )


def _summary(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    sightings = content.sightings
    platforms = list_separator(translate).join(platform_name(translate, p) for p in content.platforms) or "—"
    counts = content.notice_counts()
    outcomes = ("；" if translate.lang == "zh" else "; ").join(
        translate.format("{status}: {count}", status=translate(NOTICE_STATUSES[s]), count=n)
        for s, n in counts.items()
        if s in NOTICE_STATUSES
    ) or _("none yet")
    blocks: list[Paragraph | Facts | Bullets] = []
    if sightings:
        blocks.append(
            Paragraph(
                translate.format(
                    "Between {first} and {last}, {sightings} were recorded on {platforms}, in {channels}. "
                    "{notices} been sent or drafted to the platforms.",
                    first=when(content.first_seen),
                    last=when(content.last_seen),
                    sightings=translate.plural("{count} sighting", "{count} sightings", len(sightings)),
                    platforms=platforms,
                    channels=translate.plural("{count} channel", "{count} channels", len(content.channels)),
                    notices=translate.plural(
                        "{count} takedown notice has", "{count} takedown notices have", len(content.notices)
                    ),
                )
            )
        )
    else:
        blocks.append(Paragraph(_("No sighting has been recorded in this case yet.")))
    blocks.append(
        Facts(
            (
                (_("Sightings"), Cell(str(len(sightings)))),
                (_("Platforms"), Cell(platforms)),
                (_("Channels"), Cell(", ".join(content.channels) or "—", code=bool(content.channels))),
                (_("First seen"), Cell(when(content.first_seen))),
                (_("Last seen"), Cell(when(content.last_seen))),
                (_("Captures kept"), Cell(str(sum(1 for s in sightings if s.capture_sha256)))),
                (_("Notices"), Cell(str(len(content.notices)))),
                (_("Notice outcomes"), Cell(outcomes)),
            )
        )
    )
    minors = sum(1 for s in sightings if s.possible_minor)
    if minors:
        blocks.append(
            Paragraph(
                translate.plural(
                    "{count} sighting may show a minor: no capture of it was kept, and it was reported "
                    "through the child-protection route.",
                    "{count} sightings may show a minor: no capture of them was kept, and they were "
                    "reported through the child-protection route.",
                    minors,
                ),
                tone="warning",
            )
        )
    return Section("summary", _("Summary"), tuple(blocks))


def _sightings_table(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    rows = tuple(
        (
            Cell(str(s.leaf_index)),
            Cell(when(s.seen_at)),
            Cell(platform_name(translate, s.platform)),
            Cell(s.channel_label or "—", code=bool(s.channel_label)),
            Cell(s.url, code=True),
            Cell(s.capture_sha256 or _minor_or_none(translate, s), code=bool(s.capture_sha256)),
        )
        for s in content.sightings
    )
    return Section(
        "sightings",
        _("Sightings"),
        (
            Paragraph(
                _(
                    "Each row is one entry of the case's signed evidence log (the number is its place in "
                    "the log). The capture's SHA-256 identifies the exact file that was saved when the "
                    "content was seen."
                )
            ),
            Table(
                headers=(
                    _("No."),
                    _("Seen (UTC)"),
                    _("Platform"),
                    _("Channel"),
                    _("Link"),
                    _("Capture SHA-256"),
                ),
                rows=rows,
                widths=(6, 14, 10, 14, 26, 30),
                empty=_("No sighting has been recorded in this case yet."),
            ),
        ),
    )


def _minor_or_none(translate: Translator, sighting: SightingFacts) -> str:
    if sighting.possible_minor:
        return translate("none kept (may show a minor)")
    return translate("no capture")


def _details(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    items = tuple(_item(sighting, content, translate) for sighting in content.sightings)
    intro = Paragraph(
        _(
            "The thumbnails are blurred on purpose: they show that a capture exists and roughly what "
            "it looks like, never who is in it. Compare the hashes with the captures in the evidence "
            "bundle, not the thumbnails."
        ),
        tone="note",
    )
    return Section("details", _("Each sighting in detail"), (intro, *items), new_page=True)


def _item(sighting: SightingFacts, content: ReportContent, translate: Translator) -> Item:
    _ = translate
    rows: list[tuple[str, Cell]] = [
        (_("Seen"), Cell(when(sighting.seen_at))),
        (
            _("Recorded"),
            Cell(
                translate.format("{time} by {who}", time=when(sighting.recorded_at), who=sighting.recorded_by)
            ),
        ),
        (_("Platform"), Cell(platform_name(translate, sighting.platform))),
        (_("Link"), Cell(sighting.url, code=True)),
    ]
    if sighting.channel_label:
        rows.append((_("Channel"), Cell(sighting.channel_label, code=True)))
    if sighting.channel_title:
        rows.append((_("Channel title"), Cell(sighting.channel_title)))
    if sighting.message_id:
        rows.append((_("Message id"), Cell(sighting.message_id, code=True)))
    rows.append(
        (
            _("Sender"),
            Cell(sighting.sender or _("not visible to us; the platform has it"), code=bool(sighting.sender)),
        )
    )
    rows.append(
        (
            _("Capture SHA-256"),
            Cell(
                sighting.capture_sha256 or _minor_or_none(translate, sighting),
                code=bool(sighting.capture_sha256),
            ),
        )
    )
    if sighting.archive_sha256:
        rows.append((_("Web archive (WARC) SHA-256"), Cell(sighting.archive_sha256, code=True)))
    if sighting.screenshot_sha256:
        rows.append((_("Page screenshot SHA-256"), Cell(sighting.screenshot_sha256, code=True)))
    rows.append((_("Log entry hash"), Cell(sighting.leaf_hash, code=True)))
    if sighting.note:
        rows.append((_("Note"), Cell(sighting.note)))
    return Item(
        title=translate.format("Sighting no. {number}", number=sighting.leaf_index),
        facts=Facts(tuple(rows)),
        thumbnail=sighting.thumbnail,
        caption=_caption(sighting, content, translate),
    )


def _caption(sighting: SightingFacts, content: ReportContent, translate: Translator) -> str:
    if sighting.possible_minor:
        routes = ", ".join(f"{name} ({address})" for name, address in content.child_protection_routes)
        return translate.format(
            "No capture was kept: the content may show a minor, and keeping such material is itself "
            "prohibited (Law on the Protection of Minors 《未成年人保护法》 art. 52). Only the link and "
            "its hashes were recorded, and it was reported through the child-protection route: {routes}.",
            routes=routes,
        )
    if sighting.thumbnail is not None:
        return translate("Blurred thumbnail of the capture.")
    if sighting.capture_sha256:
        return translate("The capture is not a picture, so there is no thumbnail.")
    return translate("No capture was saved for this sighting.")


def _notices(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    rows = tuple(_notice_row(notice, translate) for notice in content.notices)
    return Section(
        "notices",
        _("Takedown notices and their outcomes"),
        (
            Paragraph(
                _(
                    "Each notice asked one platform, through its own reporting route, to remove the "
                    "sightings it lists. A notice without an answer by its due date is sent again or "
                    "escalated along the next route."
                )
            ),
            Table(
                headers=(
                    _("Reference"),
                    _("Platform"),
                    _("Route"),
                    _("Status"),
                    _("Sent"),
                    _("Due"),
                    _("Closed"),
                    _("Sightings"),
                ),
                rows=rows,
                widths=(15, 9, 17, 12, 12, 12, 12, 11),
                empty=_("No takedown notice has been recorded for this case yet."),
            ),
        ),
    )


def _notice_row(notice: NoticeFacts, translate: Translator) -> tuple[Cell, ...]:
    route = notice.route
    if notice.escalated_from:
        route = translate.format(
            "{route} (escalated from {notice})", route=route, notice=notice.escalated_from
        )
    status = translate(NOTICE_STATUSES[notice.status]) if notice.status in NOTICE_STATUSES else notice.status
    return (
        Cell(notice.reference or notice.id, code=True),
        Cell(platform_name(translate, notice.platform)),
        Cell(route),
        Cell(status),
        Cell(when(notice.sent_at)),
        Cell(when(notice.due_at)),
        Cell(when(notice.closed_at)),
        Cell(", ".join(str(leaf) for leaf in notice.sighting_leaves) or "—"),
    )
