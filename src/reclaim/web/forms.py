"""Form posts of the web app, read without a multipart parser: every form here is urlencoded."""

from __future__ import annotations

from typing import Final
from urllib.parse import parse_qs

from starlette.requests import Request

from reclaim.errors import N_, UserInputError

# The largest form here is a notice's note; a bigger body is not a person typing.
MAX_FORM_BYTES: Final = 64 * 1024


async def form_fields(request: Request) -> dict[str, str]:
    """The posted fields (the first value of each), or a UserInputError for anything else."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise UserInputError(N_("This page takes only its own forms."))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise UserInputError(N_("The form is too long."))
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise UserInputError(N_("This page takes only its own forms.")) from None
    return {name: values[0] for name, values in fields.items()}
