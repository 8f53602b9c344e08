"""The one multipart form of the web app (a sighting with its screenshot), read in memory.

Starlette's parser spools a file over 1 MiB to a temporary file on disk, which would put her
screenshot there in the clear; this one keeps the whole body in memory, within a limit, and
hands the file's bytes to the service that seals them into the vault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

from starlette.requests import Request

from reclaim.errors import N_, UserInputError


@dataclass(frozen=True, slots=True)
class MultipartForm:
    fields: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)  # only files actually chosen


async def multipart_form(request: Request, max_bytes: int) -> MultipartForm:
    """The posted fields and files, or a UserInputError for anything that is not such a form."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise UserInputError(N_("This page takes only its own forms."))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise UserInputError(
                N_("The screenshot is too large: at most {megabytes} MB."), megabytes=max_bytes // 2**20
            )
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + bytes(body))
    if not message.is_multipart():
        raise UserInputError(N_("This page takes only its own forms."))
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields or name in files:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            if data:  # an empty file part is a file input left empty
                files[name] = data
            continue
        try:
            fields[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UserInputError(N_("This page takes only its own forms.")) from None
    return MultipartForm(fields, files)
