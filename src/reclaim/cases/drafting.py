"""Notice texts, from the templates under ``templates/`` (one per addressee and language).

The rights-holder's identity is never rendered into a text that is stored: the stored text
carries placeholders (``IDENTITY_FIELDS``) that ``fill_identity`` replaces with the values from
the vault when the notice is shown to be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from reclaim.cases.routes import RouteStep

TEMPLATE_DIR: Final = Path(__file__).with_name("templates")
LANGUAGES: Final = ("zh", "en")
IDENTITY_FIELDS: Final = ("name", "id_number", "contact")
_PLACEHOLDER: Final = "⟦{field}⟧"


@dataclass(frozen=True, slots=True)
class NoticeSighting:
    """What a notice says of one sighting: where, when, what, and the capture's digest."""

    leaf_index: int
    url: str
    platform: str
    seen_at: datetime | None
    posted_at: datetime | None  # when the channel posted it, where the scan knew
    channel: str | None  # title, username or id, as far as known
    message_id: str | None
    kind: str  # "media" (matched her protected photo or video), "identifier" (her details), "reported"
    signal: str | None  # pdq, vpdq, sha256, md5, phone, name, ...
    distance: int | None
    capture_sha256: str | None
    possible_minor: bool = False
    matched_entry: int | None = None  # the protected entry a reviewed lead matched
    media_sha256: str | None = None  # the found file's digest, where a scan saw it


@dataclass(frozen=True, slots=True)
class RightsHolder:
    """Her real identity, for the notices that need it (Civil Code art. 1195). Lives in the vault."""

    name: str
    id_number: str | None
    contact: str

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "id_number": self.id_number, "contact": self.contact}


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    reference: str
    platform: str
    step: RouteStep
    lang: str
    drafted_at: datetime
    due_at: datetime
    sightings: tuple[NoticeSighting, ...]
    attempt: int = 1  # the same route again: 2, 3, ...
    escalated_from: str | None = None


def render_notice(draft: NoticeDraft) -> str:
    """The notice text, with placeholders where her identity goes."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text for a form, an e-mail or a letter
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template(f"{draft.step.addressee}.{draft.lang}.j2")
    media = [s for s in draft.sightings if s.kind != "identifier"]
    details = [s for s in draft.sightings if s.kind == "identifier"]
    text = template.render(
        notice=draft,
        step=draft.step,
        sightings=draft.sightings,
        has_media=bool(media),
        has_details=bool(details),
        minor=any(s.possible_minor for s in draft.sightings),
        identity={field: _PLACEHOLDER.format(field=field) for field in IDENTITY_FIELDS},
        day=_day,
        moment=_moment,
    )
    return text.strip() + "\n"


def fill_identity(text: str, holder: RightsHolder | None, *, missing: str) -> str:
    """The text with her identity in place of the placeholders (``missing`` where a value is absent)."""
    values = holder.to_json() if holder is not None else {}
    for field in IDENTITY_FIELDS:
        text = text.replace(_PLACEHOLDER.format(field=field), values.get(field) or missing)
    return text


def needs_identity(text: str) -> bool:
    return any(_PLACEHOLDER.format(field=field) in text for field in IDENTITY_FIELDS)


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"
