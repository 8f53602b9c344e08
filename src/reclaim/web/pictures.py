"""What a caseworker sees of a found file: a blurred thumbnail first, the picture on request.

Both are made in memory and sent with Cache-Control: no-store, so no browser or proxy keeps a
copy. The clear view is re-encoded, not sent as stored: that drops the file's metadata (GPS,
camera serial) and anything in it that is not the picture.
"""

from __future__ import annotations

import io
from typing import Final

from starlette.responses import Response

from reclaim.services.evidence import blurred_thumbnail

CLEAR_VIEW_SIZE: Final = 1280
PICTURE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}


def blurred_picture(data: bytes) -> Response:
    return Response(blurred_thumbnail(data), media_type="image/jpeg", headers=PICTURE_HEADERS)


def clear_picture(data: bytes) -> Response:
    """The picture as a JPEG of at most CLEAR_VIEW_SIZE pixels a side; a grey square if it is not one."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (CLEAR_VIEW_SIZE, CLEAR_VIEW_SIZE))
            picture = ImageOps.exif_transpose(image).convert("RGB")
            picture.thumbnail((CLEAR_VIEW_SIZE, CLEAR_VIEW_SIZE))
    except (OSError, ValueError, Image.DecompressionBombError):
        picture = Image.new("RGB", (256, 256), (128, 128, 128))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return Response(buffer.getvalue(), media_type="image/jpeg", headers=PICTURE_HEADERS)
