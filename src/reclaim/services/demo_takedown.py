"""The demo's second half: a caseworker accepts the scan's leads, drafts the Telegram notice,
records it as sent, writes the Chinese report for the police and the evidence bundle, and
checks the bundle as a police officer would, offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from reclaim.errors import ReclaimError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.cases.drafting import RightsHolder
    from reclaim.config import Settings
    from reclaim.services.evidence import ExportedBundle
    from reclaim.services.notices import DraftedNotice
    from reclaim.services.report import WrittenReport
    from reclaim.store.scans import StoredReview

# The demo home's vault passphrase: the demo holds public sample photos only.
DEMO_PASSPHRASE: Final = "reclaim-demo"
REPORT_LANG: Final = "zh"  # victims and police in this case read Chinese first


@dataclass(frozen=True)
class DemoTakedown:
    accepted: int
    notices: tuple[DraftedNotice, ...]
    report: WrittenReport
    report_problem: ReclaimError | None  # why the PDF could not be printed (the report is HTML then)
    bundle: ExportedBundle
    bundle_problems: tuple[str, ...]  # empty: the bundle verified intact


def run_takedown(
    engine: Engine, settings: Settings, case_id: str, leads: tuple[StoredReview, ...], lang: str
) -> DemoTakedown:
    from reclaim.cases.notice_states import NoticeStatus
    from reclaim.evidence.vault import Vault
    from reclaim.evidence.verify import verify_bundle
    from reclaim.services.evidence import export_bundle
    from reclaim.services.notices import DraftedNotice, IdentitySource, draft_notices, update_notice
    from reclaim.services.report import write_report
    from reclaim.services.review import accept_lead

    vault = Vault(settings.vault_path, settings.passphrase or DEMO_PASSPHRASE)
    for lead in leads:  # in the demo a person has looked at each one: all three are her photos
        accept_lead(engine, settings, lead.id, open_vault=lambda: vault)
    drafted = draft_notices(
        engine,
        case_id,
        "telegram",
        lang,
        actor=settings.actor,
        identity=IdentitySource(open_vault=lambda: vault, ask=_no_identity),
    )
    sent = tuple(
        DraftedNotice(update_notice(engine, n.record.id, NoticeStatus.SENT, actor=settings.actor), n.text)
        for n in drafted
    )
    report_problem = None
    try:
        report = write_report(
            engine,
            settings,
            case_id,
            settings.home / f"report-{REPORT_LANG}.pdf",
            lang=REPORT_LANG,
            fmt="pdf",
            vault=vault,
        )
    except ReclaimError as error:
        # A fresh machine may lack Pango or a CJK font: the same report as one HTML page still
        # shows the whole flow, and the error says what to install for the PDF.
        report_problem = error
        report = write_report(
            engine,
            settings,
            case_id,
            settings.home / f"report-{REPORT_LANG}.html",
            lang=REPORT_LANG,
            fmt="html",
            vault=vault,
        )
    bundle = export_bundle(
        engine, settings, case_id, settings.home / "evidence.zip", redact=False, vault=vault
    )
    checked = verify_bundle(
        bundle.path,
        expected_fingerprint=bundle.key_fingerprint,
        bundle_key=bytes.fromhex(bundle.bundle_key) if bundle.bundle_key else None,
    )
    return DemoTakedown(
        accepted=len(leads),
        notices=sent,
        report=report,
        report_problem=report_problem,
        bundle=bundle,
        bundle_problems=tuple(problem.message for problem in checked.problems),
    )


def _no_identity() -> RightsHolder:
    # Telegram's in-app report, the demo's first step, needs no identity.
    raise AssertionError("the demo's notice route needs no identity")
