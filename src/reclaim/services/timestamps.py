"""Ask a time-stamping authority (RFC 3161) to countersign a case's latest tree head, and keep its token."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC
from typing import TYPE_CHECKING, Final

from reclaim.errors import N_, ReclaimError, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.evidence.timestamp import CheckedTimestamp

TIMEOUT_S: Final = 30
MAX_RESPONSE_BYTES: Final = 1024**2


class TimestampFailedError(ReclaimError):
    """The authority could not be reached or its answer is not a valid time-stamp of the head."""

    default_hint = N_("Check the time-stamping authority's URL; the evidence itself is recorded and signed.")


def stamp_latest_head(engine: Engine, case_id: str, tsa_url: str) -> CheckedTimestamp:
    """Time-stamp the case's latest signed tree head at ``tsa_url`` and store the token."""
    from reclaim.evidence.timestamp import TimestampError, check_timestamp, timestamp_query
    from reclaim.store.evidence import StoredTimestamp, add_timestamp, latest_tree_head

    if not tsa_url.lower().startswith(("http://", "https://")):
        raise UserInputError(N_("{url} is not a web address."), url=tsa_url)
    head = latest_tree_head(engine, case_id)
    if head is None:
        raise UserInputError(N_("The case has no evidence log yet."))
    query = timestamp_query(head.body)
    response = _post(tsa_url, query.der)
    try:
        checked = check_timestamp(response, head.body, nonce=query.nonce)
    except TimestampError as error:
        raise TimestampFailedError(
            N_("The time-stamping authority's answer is not valid: {reason}"), reason=str(error)
        ) from None
    gen_time = checked.gen_time if checked.gen_time.tzinfo else checked.gen_time.replace(tzinfo=UTC)
    add_timestamp(engine, case_id, StoredTimestamp(head.tree_size, tsa_url, gen_time, response))
    return checked


def _post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise TimestampFailedError(
            N_("Cannot reach the time-stamping authority {url}: {reason}"),
            url=url,
            reason=str(getattr(error, "reason", None) or error),
        ) from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise TimestampFailedError(
            N_("The time-stamping authority's answer is not valid: {reason}"), reason="too large"
        )
    return data
