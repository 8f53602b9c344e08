"""``reclaim notice draft | update | list | show | escalate``: takedown notices tracked to removal."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.store_access import opened_store
from reclaim.config import Settings, load_settings
from reclaim.errors import N_, UserInputError
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.cases.drafting import RightsHolder
    from reclaim.evidence.vault import Vault
    from reclaim.services.notices import DraftedNotice, IdentitySource
    from reclaim.store.notices import NoticeRecord

STATUS_LABELS = {
    "draft": N_("draft"),
    "sent": N_("sent"),
    "acknowledged": N_("acknowledged"),
    "removed": N_("removed"),
    "refused": N_("refused"),
    "no-response": N_("no response"),
}


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="notice",
        help=_(
            "Draft takedown notices for a case's sightings, record what each platform did, and "
            "escalate notices that get no answer. Nothing is sent for you: you send each notice."
        ),
        no_args_is_help=True,
    )
    json_help = _("Print JSON lines and nothing else.")
    _add_draft(group, translate, json_help)
    _add_tracking(group, translate, json_help)
    _add_show_and_escalate(group, translate, json_help)
    app.add_typer(group)


def _add_draft(group: typer.Typer, translate: Translator, json_help: str) -> None:
    _ = translate

    @group.command(
        "draft",
        help=_(
            "Write the notice a platform's report route expects, for the case's sightings there that "
            "no notice covers yet. The notice is in the language of --lang."
        ),
    )
    def draft_command(
        case_ref: str = typer.Argument(..., metavar="CASE", help=_("The case's id or exact title.")),
        platform: str = typer.Option(
            ...,
            "--platform",
            metavar="telegram|wechat|weibo|xiaohongshu|douyin|12377|police|generic",
            help=_("Where the content is, or 12377 or the police for all of it."),
        ),
        identity_file: Optional[Path] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--identity-file",
            metavar="FILE",
            help=_(
                "Her real identity for notices that need it: a JSON file with name, contact and, if "
                "wanted, id_number; kept only in the encrypted vault. Without it you are asked on the "
                "terminal."
            ),
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.notices import draft_notices

        settings = load_settings()
        with opened_store(settings) as engine:
            case = resolve_case(engine, case_ref)
            drafted = draft_notices(
                engine,
                case.id,
                platform.strip().lower(),
                translate.lang,
                actor=settings.actor,
                identity=_identity_source(translate, settings, identity_file),
            )
        for notice in drafted:
            _show_drafted(translate, notice, json_output)


def _add_tracking(group: typer.Typer, translate: Translator, json_help: str) -> None:
    _ = translate

    @group.command(
        "update", help=_("Record what happened to a notice: sent, acknowledged, removed, refused.")
    )
    def update_command(
        notice_id: str = typer.Argument(
            ..., metavar="NOTICE_ID", help=_("The notice's id, from notice list.")
        ),
        status: str = typer.Option(
            ...,
            "--status",
            metavar="sent|acknowledged|removed|refused|no-response",
            help=_("What happened."),
        ),
        at: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--at",
            metavar="ISO8601",
            help=_("When it happened, such as 2026-03-01T09:30+08:00 (default: now)."),
        ),
        note: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--note", metavar="TEXT", help=_("What the platform said, a ticket number.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.cases.notice_states import NoticeStatus
        from reclaim.services.notices import notice_json, update_notice

        try:
            wanted = NoticeStatus(status.strip().lower())
        except ValueError:
            raise UserInputError(
                N_("Unknown status {status}."),
                hint=N_("Use sent, acknowledged, removed, refused or no-response."),
                status=status,
            ) from None
        settings = load_settings()
        with opened_store(settings) as engine:
            notice = update_notice(
                engine, notice_id, wanted, actor=settings.actor, at=_parse_at(at), note=note
            )
        if json_output:
            emit_json(notice_json(notice))
            return
        typer.echo(
            translate.format(
                "Notice {notice}: {status}.",
                notice=notice.id,
                status=translate(STATUS_LABELS[notice.status]),
            )
        )
        if notice.status in ("sent", "acknowledged"):
            typer.echo(translate.format("Answer due by {due}.", due=_day(notice.due_at)))
        if notice.status in ("refused", "no-response"):
            typer.echo(
                translate.format("Take it further with `reclaim notice escalate {notice}`.", notice=notice.id)
            )

    @group.command("list", help=_("List notices, with the overdue ones marked."))
    def list_command(
        case_ref: Optional[str] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None, "--case", metavar="CASE", help=_("Only this case's notices.")
        ),
        overdue: bool = typer.Option(False, "--overdue", help=_("Only notices past their due date.")),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.cases import resolve_case
        from reclaim.services.notices import notice_json, overdue_notices
        from reclaim.store.notices import list_notices

        now = datetime.now(UTC)
        with opened_store(load_settings()) as engine:
            case_id = resolve_case(engine, case_ref).id if case_ref else None
            notices = overdue_notices(engine, case_id, now) if overdue else list_notices(engine, case_id)
        if json_output:
            for notice in notices:
                emit_json(notice_json(notice))
            return
        if not notices:
            typer.echo(translate("No notices."))
            return
        for notice in notices:
            typer.echo(describe_notice(translate, notice, now))


def _add_show_and_escalate(group: typer.Typer, translate: Translator, json_help: str) -> None:
    _ = translate

    @group.command("show", help=_("Print a notice as it is to be sent, and its history."))
    def show_command(
        notice_id: str = typer.Argument(
            ..., metavar="NOTICE_ID", help=_("The notice's id, from notice list.")
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.notices import DraftedNotice, get_notice_or_fail, notice_text

        settings = load_settings()
        with opened_store(settings) as engine:
            notice = get_notice_or_fail(engine, notice_id)
            text = notice_text(notice, _identity_source(translate, settings, None), missing="-")
        if json_output:
            emit_json(DraftedNotice(notice, text).to_json())
            return
        typer.echo(describe_notice(translate, notice, datetime.now(UTC)))
        for event in notice.events:
            line = f"  {event.at.strftime('%Y-%m-%d %H:%M UTC')}  {translate(STATUS_LABELS[event.status])}"
            typer.echo(line + (f"  {event.note}" if event.note else ""))
        typer.echo("")
        typer.echo(text)

    @group.command(
        "escalate",
        help=_(
            "Take a refused or unanswered notice to the next step of the platform's route (for "
            "Telegram: in-app report, abuse address, EU DSA form, 12377, police)."
        ),
    )
    def escalate_command(
        notice_id: str = typer.Argument(
            ..., metavar="NOTICE_ID", help=_("The notice's id, from notice list.")
        ),
        identity_file: Optional[Path] = typer.Option(  # noqa: UP045 - Typer reads the annotation
            None,
            "--identity-file",
            metavar="FILE",
            help=_("Her real identity as a JSON file (as for notice draft), if the next step needs it."),
        ),
        json_output: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        from reclaim.services.notices import escalate_notice

        settings = load_settings()
        with opened_store(settings) as engine:
            drafted = escalate_notice(
                engine,
                notice_id,
                actor=settings.actor,
                identity=_identity_source(translate, settings, identity_file),
                lang=translate.lang,
            )
        _show_drafted(translate, drafted, json_output)


def describe_notice(translate: Translator, notice: "NoticeRecord", now: datetime) -> str:
    from reclaim.cases.notice_states import NoticeStatus, is_overdue

    line = translate.format(
        "{notice} · {platform} → {route} · {status} · due {due} · sightings {leaves}",
        notice=notice.id,
        platform=notice.platform,
        route=notice.route,
        status=translate(STATUS_LABELS[notice.status]),
        due=_day(notice.due_at),
        leaves=", ".join(str(leaf) for leaf in notice.sighting_leaves),
    )
    if is_overdue(NoticeStatus(notice.status), notice.due_at, now):
        line += " · " + translate("OVERDUE")
    return line


def _show_drafted(translate: Translator, drafted: "DraftedNotice", json_output: bool) -> None:
    from reclaim.cases.routes import STEPS

    if json_output:
        emit_json(drafted.to_json())
        return
    notice = drafted.record
    typer.echo(
        translate.format(
            "Notice {notice} drafted for {count} sightings; send it through: {address}",
            notice=notice.id,
            count=len(notice.sighting_leaves),
            address=STEPS[notice.route].address,
        )
    )
    if notice.possible_minor:
        typer.echo(
            translate(
                "These sightings may show a minor: the notice goes to the child-protection hotlines, "
                "with links only. Do not download or share the content."
            )
        )
    typer.echo(translate.format("Answer due by {due}.", due=_day(notice.due_at)))
    typer.echo("")
    typer.echo(drafted.text)
    typer.echo(
        translate.format(
            "When you have sent it: reclaim notice update {notice} --status sent", notice=notice.id
        )
    )


def _identity_source(
    translate: Translator, settings: Settings, identity_file: Path | None
) -> "IdentitySource":
    from reclaim.services.notices import IdentitySource

    def open_vault() -> "Vault":
        from reclaim.cli.passphrase import open_vault

        return open_vault(translate, settings)

    def ask() -> "RightsHolder":
        if identity_file is not None:
            return _read_identity(identity_file)
        if not sys.stdin.isatty():
            raise UserInputError(
                N_("This notice needs her real identity (name and contact), and none is stored yet."),
                hint=N_(
                    'Give --identity-file FILE (JSON with "name" and "contact"), or run it in a terminal.'
                ),
            )
        return _prompt_identity(translate)

    return IdentitySource(open_vault=open_vault, ask=ask)


def _prompt_identity(translate: Translator) -> "RightsHolder":
    from reclaim.cases.drafting import RightsHolder

    typer.echo(
        translate(
            "Chinese platforms act on a notice only with the rights-holder's real identity (Civil Code "
            "art. 1195). It is kept only in the encrypted vault, never in the database or in reports."
        )
    )
    name = typer.prompt(translate("Her legal name")).strip()
    id_number = typer.prompt(translate("ID card number (Enter to leave out)"), default="", show_default=False)
    contact = typer.prompt(translate("Phone or e-mail for the platform's answer")).strip()
    return RightsHolder(name, id_number.strip() or None, contact)


def _read_identity(path: Path) -> "RightsHolder":
    from reclaim.cases.drafting import RightsHolder

    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserInputError(
            N_("Cannot read {path}: {reason}."), path=str(path), reason=error.strerror or str(error)
        ) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise UserInputError(N_("{path} is not a JSON file."), path=str(path)) from error
    if not isinstance(values, dict) or not all(
        isinstance(values.get(key), str) and values[key].strip() for key in ("name", "contact")
    ):
        raise UserInputError(
            N_("{path} must hold a name and a contact."),
            hint=N_('Write it as JSON with the keys "name", "contact" and, if wanted, "id_number".'),
            path=str(path),
        )
    id_number = values.get("id_number")
    return RightsHolder(
        values["name"].strip(),
        id_number.strip() if isinstance(id_number, str) and id_number.strip() else None,
        values["contact"].strip(),
    )


def _parse_at(text: str | None) -> datetime | None:
    from reclaim.evidence.entries import parse_seen_at

    return parse_seen_at(text, datetime.now(UTC)) if text else None


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")
