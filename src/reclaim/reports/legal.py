"""The report's legal parts: what the police can ask platforms for, her rights, the deadline, how to verify.

Every article cited here was checked against the statute's full text (sources in
``docs/legal-basis.md`` and ``../shared/legal/REFERENCE.md``, marked [T]): Criminal Procedure
Law (2018) arts. 54, 110-113, 210; Public Security Administration Punishments Law (2025, in force
2026-01-01) arts. 25, 90, 92; Criminal Law arts. 87, 88(2), 364(1); Law on the Protection of Minors
art. 52; the 2010 interpretation on obscene electronic information, art. 3; Civil Evidence
Provisions (2019) art. 94. Telegram's disclosure rule is its privacy policy, section 8.3.
"""

from __future__ import annotations

from collections import defaultdict

from reclaim.locale import Translator
from reclaim.reports.content import ReportContent, add_months
from reclaim.reports.document import Bullets, Cell, Code, Facts, Paragraph, Section, Table
from reclaim.reports.formatting import day, platform_name, when

# Public Security Administration Punishments Law art. 25: not punished if not discovered in 6 months.
PSAPL_LIMIT_MONTHS = 6


def legal_request_section(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    by_channel: dict[tuple[str, str], list[str]] = defaultdict(list)
    titles: dict[tuple[str, str], str] = {}
    senders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sighting in content.sightings:
        key = (sighting.platform, sighting.channel_label or sighting.url)
        by_channel[key].append(sighting.message_id or "—")
        if sighting.channel_title:
            titles[key] = sighting.channel_title
        if sighting.sender:
            senders[key].add(sighting.sender)
    rows = tuple(
        _channel_row(translate, key, messages, titles.get(key), senders[key])
        for key, messages in sorted(by_channel.items())
    )
    blocks: list[Paragraph | Bullets | Table] = [
        Paragraph(
            _(
                "The platforms hold what this report cannot show: who posted, from which account, with "
                "which phone number and from which IP address. The identifiers below let a platform find "
                "the posts even after they were deleted, for as long as it keeps its records, so a "
                "request should be made soon."
            )
        ),
        Table(
            headers=(_("Platform"), _("Channel"), _("Channel title"), _("Message ids"), _("Senders")),
            rows=rows,
            widths=(12, 20, 22, 24, 22),
            empty=_("No sighting has been recorded in this case yet."),
        ),
        Paragraph(_("What to ask for, for each channel and message above:")),
        Bullets(
            (
                _(
                    "the accounts that posted or forwarded the content, and the channel's or group's "
                    "creators and administrators;"
                ),
                _(
                    "for each account: the phone number it is registered with, its real-name verification "
                    "where the platform has one, and the IP addresses and times of its logins around the "
                    "posting times above;"
                ),
                _(
                    "the channel's or group's member count over time: creating or administering a group "
                    "mainly used to spread obscene electronic information with 30 or more members is "
                    "punished under Criminal Law 《刑法》 art. 364(1) (2010 interpretation on obscene "
                    "electronic information (二), art. 3);"
                ),
                _("other content the same accounts posted, and copies the platform still holds."),
            )
        ),
        Paragraph(
            _(
                "Platforms in China: the police may collect evidence from any organisation, which must "
                "provide it truthfully (Criminal Procedure Law 《刑事诉讼法》 art. 54; in an administrative "
                "case, Public Security Administration Punishments Law 《治安管理处罚法》 art. 92). Evidence "
                "touching on personal privacy must be kept confidential (Criminal Procedure Law art. 54)."
            )
        ),
    ]
    if "telegram" in content.platforms:
        blocks.append(
            Paragraph(
                _(
                    "Telegram: under section 8.3 of its privacy policy, when Telegram receives a valid order "
                    "from the relevant judicial authorities confirming that a user is a suspect in a case of "
                    "criminal activities that violate its Terms of Service, it performs a legal analysis of "
                    "the request and may disclose that user's IP address and phone number. Disclosures are "
                    "counted in its quarterly transparency report (t.me/transparency). Telegram decides "
                    "itself whether to answer; the channel and message identifiers above are what it needs "
                    "to find the posts."
                )
            )
        )
    return Section(
        "legal-request", _("What the police can ask the platforms for"), tuple(blocks), new_page=True
    )


def _channel_row(
    translate: Translator, key: tuple[str, str], messages: list[str], title: str | None, senders: set[str]
) -> tuple[Cell, ...]:
    platform, channel = key
    return (
        Cell(platform_name(translate, platform)),
        Cell(channel, code=True),
        Cell(title or "—"),
        Cell(", ".join(messages), code=True),
        Cell(", ".join(sorted(senders)) or translate("not visible"), code=bool(senders)),
    )


def rights_section(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    del content
    return Section(
        "rights",
        _("Her rights when she reports to the police"),
        (
            Bullets(
                (
                    _(
                        "The police must accept a report; one outside their competence is passed on to "
                        "the competent authority and she is told (Criminal Procedure Law 《刑事诉讼法》 "
                        "art. 110)."
                    ),
                    _(
                        "A report can be made in writing or orally; an oral report is written down, read "
                        "back to her and signed by her. If she does not want her name or her report made "
                        "known, it must be kept confidential (art. 111)."
                    ),
                    _(
                        "If the police decide not to open a criminal case, they must tell her the reason, "
                        "and she may apply for reconsideration (复议) (art. 112). Ask for the decision and "
                        "its reason in writing."
                    ),
                    _(
                        "If she believes the police should have opened a case, she can go to the "
                        "procuratorate (人民检察院): it must require the police to explain why they did not, "
                        "and if the reasons do not hold, tell them to open the case, which they then must "
                        "(art. 113)."
                    ),
                    _(
                        "Where the police and the procuratorate do not pursue an offence against her person "
                        "that she can prove, she may bring a private prosecution to the court herself "
                        "(art. 210(3))."
                    ),
                    _(
                        "As an administrative case, the police must open it and investigate at once; if they "
                        "find no violation, they must tell her and explain why (Public Security "
                        "Administration Punishments Law 《治安管理处罚法》 art. 90)."
                    ),
                )
            ),
        ),
    )


def deadline_section(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    blocks: list[Paragraph | Facts] = [
        Paragraph(
            _(
                "Under the Public Security Administration Punishments Law 《治安管理处罚法》 (revised 2025, "
                "in force since 2026-01-01), art. 25, an act that the police have not discovered within "
                "six months is no longer punished. The six months run from the day of the act, or from "
                "the day it ended when it went on."
            )
        ),
        Paragraph(
            _(
                "The six months limit administrative punishment only. Crimes have longer limits: five years "
                "where the maximum sentence is under five years, as for spreading obscene material "
                "(Criminal Law 《刑法》 arts. 87 and 364(1)), and no limit at all once she has complained "
                "within that time and the authorities wrongly did not open a case (art. 88(2))."
            )
        ),
    ]
    first = content.first_seen
    if first is None:
        blocks.append(Paragraph(_("No sighting has been recorded yet, so no date can be given.")))
        return Section("deadline", _("Legal deadline"), tuple(blocks))
    deadline = add_months(first, PSAPL_LIMIT_MONTHS)
    blocks.append(
        Facts(
            (
                (_("Earliest sighting on record"), Cell(day(first))),
                (_("Six months after it"), Cell(day(deadline))),
                (_("Latest sighting on record"), Cell(day(content.last_seen or first))),
            )
        )
    )
    if deadline <= content.generated_at:
        blocks.append(
            Paragraph(
                translate.format(
                    "More than six months have passed since the earliest sighting ({first}). Later "
                    "sightings, up to {last}, may still count as new acts or as an act that went on: "
                    "report them without delay.",
                    first=day(first),
                    last=day(content.last_seen or first),
                ),
                tone="warning",
            )
        )
    else:
        blocks.append(
            Paragraph(
                translate.format(
                    "Report to the police before {deadline} at the latest, and as soon as possible: the "
                    "content may have been posted before it was first seen, and the period may then end "
                    "earlier.",
                    deadline=day(deadline),
                ),
                tone="warning",
            )
        )
    return Section("deadline", _("Legal deadline"), tuple(blocks))


def verify_section(content: ReportContent, translate: Translator) -> Section:
    _ = translate
    head = content.head
    blocks: list[Paragraph | Facts | Code | Bullets] = [
        Paragraph(
            _(
                "Every sighting in this report is an entry of the case's evidence log, an append-only "
                "Merkle tree (RFC 6962). After each addition the tree head (number of entries, root hash, "
                "time) is signed with this installation's Ed25519 key. Changing, removing or reordering "
                "any entry changes the root hash, so the signed head below fixes every entry."
            )
        )
    ]
    if head is not None:
        checked = (
            _("yes: the signature verifies and the stored entries add up to the root")
            if head.signature_verified and head.root_matches_entries
            else _("NO: the stored log does not match its signed head; do not rely on it")
        )
        blocks.append(
            Facts(
                (
                    (_("Tree size (entries)"), Cell(str(head.tree_size))),
                    (_("Root hash (SHA-256)"), Cell(head.root_hash, code=True)),
                    (_("Signed at"), Cell(when(head.signed_at))),
                    (_("Key fingerprint (SHA-256)"), Cell(content.key_fingerprint, code=True)),
                    (_("Public key (Ed25519)"), Cell(content.public_key, code=True)),
                    (_("Checked when this report was made"), Cell(checked)),
                )
            )
        )
    blocks += [
        Paragraph(_("To check the evidence bundle with Reclaim:")),
        Code(
            f"reclaim evidence export {content.case_id} -o bundle.zip\n"
            f"reclaim verify bundle.zip --fingerprint {content.key_fingerprint}\n"
            "reclaim verify bundle.zip --bundle-key KEY"
        ),
        Bullets(
            (
                _(
                    "Without Reclaim: unzip the bundle and follow its VERIFY.md, which needs only openssl, "
                    "sed, sha256sum and xxd. It checks the key fingerprint, the signatures, the SHA-256 of "
                    "every file and every entry's inclusion proof."
                ),
                _(
                    "Compare the key fingerprint with the one given to you separately (by phone or in "
                    "a letter), not only with this report: anyone could sign a forged bundle with a key "
                    "of their own."
                ),
                _(
                    "A bundle exported just before this report shows the tree size and root hash above; "
                    "one exported later extends them, and its first entries are exactly these."
                ),
                _(
                    "The captures in the bundle are sealed. With the bundle key, given separately, the last "
                    "command also decrypts each capture and checks it against the capture SHA-256 in this "
                    "report."
                ),
                _(
                    "This proves the entries have not changed since they were signed and that each "
                    "capture's hash was recorded when it was seen; it does not prove the time beyond the "
                    "recorder's clock unless the bundle carries RFC 3161 time-stamps. Notarisation or a "
                    "neutral evidence platform makes electronic data stronger in a civil court (Provisions "
                    "on Evidence in Civil Procedure 《最高人民法院关于民事诉讼证据的若干规定》, art. 94)."
                ),
            )
        ),
    ]
    return Section("verify", _("How to verify the evidence"), tuple(blocks))
