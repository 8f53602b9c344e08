"""``reclaim export-page``: one HTML file that hashes photos and videos with no server and no network.

A victim opens it from disk (or from a USB stick, or a message attachment), chooses her photos
and videos, sees every hash that would leave her device, says who she is submitting as, and
saves a small Reclaim JSON lines file (``bank/formats/jsonl.py``) that a helpline imports with
``reclaim protect CASE --hashes FILE``. A file passed hand to hand cannot be taken down.

Everything is inlined: the hashing modules of ``static/js`` (their ``import`` lines dropped, as
they are concatenated into one module), the page's own script and its styles. A strict
Content-Security-Policy allows exactly those inline blocks, by their SHA-256, and nothing else:
no fetch, no image or font from anywhere, no form posting; only ``blob:`` media, for playing
a chosen video to the page's own decoder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Final

from reclaim.errors import N_
from reclaim.locale import load_translator
from reclaim.web.hash_list_texts import HASH_LIST_TEXTS

WEB_DIR: Final = Path(__file__).parent
JS_DIR: Final = WEB_DIR / "static" / "js"
TEMPLATE: Final = "offline_page.html.j2"
# In dependency order: each module only uses names of the ones before it.
HASHING_MODULES: Final = ("pdq.js", "vpdq.js", "hashing.js", "hash_list.js")
PAGE_SCRIPT: Final = "offline_page.js"
PAGE_STYLE: Final = "offline_page.css"
# Chinese first: the page opens in Chinese, with a switch to English. Each language is named
# in itself on the switch, so a reader finds hers whichever is showing.
LANGUAGES: Final = ("zh", "en")
LANGUAGE_NAMES: Final = {"zh": "中文", "en": "English"}
# One line each, `import { a, b } from "./x.js";`: the convention the modules keep (pdq.js says so).
_IMPORT_LINE: Final = re.compile(r'^import \{[^}]*\} from "\./[a-z_]+\.js";\n', re.MULTILINE)

# Every word on the page, in both catalogs. Plain words: she is not technical.
TEXTS: Final = {
    **HASH_LIST_TEXTS,
    "title": N_("Protect my photos"),
    "intro": N_(
        "This page turns your photos and videos into hashes: short codes, like fingerprints, "
        "that let a helpline and platforms recognise copies and take them down."
    ),
    "private": N_(
        "Your photos and videos never leave this device. This page works without the internet "
        "and sends nothing: only the hashes you see below go into the file you save."
    ),
    "how_hashes": N_(
        "A hash cannot be turned back into the picture. Someone who has a hash cannot see your photo."
    ),
    "step_choose": N_("1. Choose your photos and videos"),
    "choose_label": N_("Photos and videos"),
    "step_check": N_("2. Check what will be saved"),
    "check_help": N_("Only these hashes will be in the file. File names are not kept."),
    "step_attest": N_("3. Say who you are"),
    "attest_legend": N_("Who is submitting these photos and videos?"),
    "attest_self": N_("I am the person shown in these photos and videos."),
    "attest_on_behalf": N_("I act for the person shown, with her consent."),
    "step_save": N_("4. Save the hashes file"),
    "save": N_("Save the hashes file"),
    "save_needs": N_("Choose at least one photo or video, and say who you are, to save the file."),
    "saved": N_(
        "Saved {file}. Send it to the helpline in any way you trust. It holds only the hashes "
        "shown above and your answer to step 3."
    ),
    "remove_help": N_("To start again, reload this page. Nothing was stored anywhere."),
}


def render_offline_page() -> str:
    """The whole page as one HTML document."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    script = hashing_script() + "\n" + (WEB_DIR / "templates" / PAGE_SCRIPT).read_text(encoding="utf-8")
    style = (WEB_DIR / "templates" / PAGE_STYLE).read_text(encoding="utf-8")
    # Inlined verbatim (the CSP hashes the exact text), so neither may close its own element.
    if "</script" in script.lower() or "</style" in style.lower():
        raise ValueError("an inlined script or style would end its element early")
    texts = {lang: {**_texts_in(lang), "language_name": LANGUAGE_NAMES[lang]} for lang in LANGUAGES}
    # The texts ride in a JSON data block (not run, so not a script for the CSP); "</" is escaped
    # so that no text can close the block.
    texts_json = json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")
    environment = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE).render(
        csp=content_security_policy(script, style),
        script=script,
        style=style,
        texts=texts[LANGUAGES[0]],
        texts_json=texts_json,
        lang=LANGUAGES[0],
        other_language=LANGUAGE_NAMES[LANGUAGES[1]],
    )


def write_offline_page(path: Path) -> int:
    """Write the page to ``path``; returns its size in bytes."""
    data = render_offline_page().encode("utf-8")
    path.write_bytes(data)
    return len(data)


@lru_cache(maxsize=1)
def hashing_script() -> str:
    """The HASHING_MODULES as one module: their imports are each other, so dropped."""
    parts = []
    for name in HASHING_MODULES:
        source = (JS_DIR / name).read_text(encoding="utf-8")
        parts.append(f"// ---- {name} ----\n" + _IMPORT_LINE.sub("", source))
    return "\n".join(parts)


def content_security_policy(script: str, style: str) -> str:
    """Nothing but the page's own inline script and style; no network at all."""
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src '{_csp_hash(script)}'",
            f"style-src '{_csp_hash(style)}'",
            # A chosen video plays from a blob: URL of the file itself, inside the page.
            "media-src blob:",
            "img-src 'none'",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        )
    )


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _texts_in(lang: str) -> dict[str, str]:
    translate = load_translator(lang)
    return {key: translate(message) for key, message in TEXTS.items()}
