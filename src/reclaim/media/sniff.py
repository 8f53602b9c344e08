"""What a file is, from its first bytes: the extension of a file found online proves nothing."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final, Literal

from reclaim.errors import N_, MediaError

MediaKind = Literal["image", "video"]

# ISO base media files (ftyp box) carry a brand: HEIF/AVIF brands are still images,
# the rest (isom, mp42, qt, 3gp ...) are videos.
_IMAGE_BRANDS: Final = {
    b"heic",
    b"heix",
    b"heim",
    b"heis",
    b"hevc",
    b"hevx",
    b"mif1",
    b"msf1",
    b"avif",
    b"avis",
}
_IMAGE_MAGIC: Final = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)
_VIDEO_MAGIC: Final = (
    b"\x1a\x45\xdf\xa3",  # Matroska / WebM
    b"FLV",
    b"\x00\x00\x01\xba",  # MPEG program stream
    b"\x00\x00\x01\xb3",  # MPEG video
    b"0&\xb2u\x8ef\xcf\x11",  # ASF / WMV
)
HEAD_BYTES: Final = 512


def sniff_media_kind(head: bytes) -> MediaKind | None:
    """``image``, ``video`` or None for the first bytes of a file."""
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video"
    if head[4:8] == b"ftyp":
        return "image" if is_heif(head) else "video"
    if head.startswith(_VIDEO_MAGIC) or (len(head) > 188 and head[0] == 0x47 and head[188] == 0x47):
        return "video"
    return None


def is_heif(head: bytes) -> bool:
    """True for HEIF/AVIF still images (iPhone photos), which Pillow reads through pillow-heif."""
    if head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    box = head[8 : min(size, len(head))]
    brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4) if i != 4}  # skip minor version
    return bool(brands & _IMAGE_BRANDS)


def describe_unknown(head: bytes) -> str:
    """What a non-media file seems to be: ``empty``, ``pdf``, ``zip``, ``text`` or ``binary``."""
    if not head:
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    try:
        # Incremental, so a character cut off at the end of the head is not called binary.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "binary"
    return "text"


# What a file that is not media seems to be (media.sniff.describe_unknown), said in full
# sentences so that each language can say it naturally.
_NOT_MEDIA: Final = {
    "empty": N_("{path} is empty (0 bytes)."),
    "text": N_("{path} is not a photo or a video (it looks like text)."),
    "pdf": N_("{path} is not a photo or a video (it looks like a PDF document)."),
    "zip": N_("{path} is not a photo or a video (it looks like a zip archive)."),
    "binary": N_("{path} is not a photo or a video (its content is not recognised)."),
}


def not_media_error(head: bytes, path: Path) -> MediaError:
    """The error for a file whose first bytes are no photo or video, saying what it seems to be."""
    return MediaError(_NOT_MEDIA[describe_unknown(head)], path=str(path))
