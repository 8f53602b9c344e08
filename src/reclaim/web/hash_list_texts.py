"""The words hash_list.js and the hashing shows while it works, shared by the protect page and
the offline page. Plain words: she is not technical."""

from typing import Final

from reclaim.errors import N_

HASH_LIST_TEXTS: Final = {
    "nothing_yet": N_("No files chosen yet."),
    "working": N_("Hashing file {number} of {count}…"),
    "working_video": N_("Hashing file {number} of {count}: video frame {frame} of {frames}…"),
    "finished": N_("Done: {count} files hashed."),
    "photo": N_("Photo {number}"),
    "video": N_("Video {number}"),
    "not_media": N_("File {number} is not a photo or video, and was left out."),
    "cannot_decode": N_("File {number} could not be read by this browser, and was left out."),
    "low_quality": N_(
        "This picture has little detail (quality {quality} of 100): matches on it are less sure."
    ),
    "quality": N_("quality {quality} of 100"),
    "frames": N_("{count} frames, one a second"),
    "show_frames": N_("Show the hash of each frame"),
}
