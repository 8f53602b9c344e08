"""How `reclaim case show` words a case's flags and timeline events."""

from reclaim.cases.timeline import CaseFlag, TimelineEvent
from reclaim.cli.notice import STATUS_LABELS
from reclaim.locale import Translator


def describe_flag(translate: Translator, flag: CaseFlag) -> str:
    day = flag.at.strftime("%Y-%m-%d")
    if flag.kind == "overdue":
        return translate.format(
            "Notice {notice} ({route}) got no answer by {due}: `reclaim notice escalate {notice}`.",
            notice=flag.notice_id,
            route=flag.route,
            due=day,
        )
    if flag.kind == "unsent":
        return translate.format(
            "Notice {notice} ({route}) was drafted but is not recorded as sent.",
            notice=flag.notice_id,
            route=flag.route,
        )
    if flag.kind == "re-upload":
        return translate.format(
            "Re-uploaded: sighting {leaf} ({url}) was seen on {day}, after notice {notice} had it removed.",
            leaf=flag.leaf_index,
            url=flag.url,
            day=day,
            notice=flag.removed_by,
        )
    if flag.kind == "police-deadline":
        return translate.format(
            "Report to the police before {day}: an act the police have not discovered within six months "
            "is no longer punished under the Public Security Administration Punishments Law (art. 25; "
            "art. 22 of the old law for acts before 2026). Counted from the first post seen.",
            day=day,
        )
    return translate.format(
        "Six months from the first post passed on {day}: the Public Security Administration Punishments "
        "Law (art. 25) may no longer apply to it, but crimes have longer limits and new posts count "
        "from their own date. Report it to the police all the same.",
        day=day,
    )


def describe_event(translate: Translator, event: TimelineEvent) -> str:
    if event.kind == "opened":
        return translate("Case opened")
    if event.kind == "sighting":
        return translate.format("Sighting {leaf}: {url}", leaf=event.leaf_index, url=event.url)
    text = translate.format(
        "Notice {notice} ({route}): {status}",
        notice=event.notice_id,
        route=event.route,
        status=translate(STATUS_LABELS.get(event.status or "", event.status or "")),
    )
    return text + (f" · {event.note}" if event.note else "")
