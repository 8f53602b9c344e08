"""Keep the catalogs in step with the code: ``python -m reclaim.locale.catalog_tools update``.

Extracts every marked message from the source with Babel, adds new ones to each ``.po``
(empty, for a translator to fill in) and marks vanished ones obsolete. The test suite
uses the same extraction to fail when a message lacks a translation in either language.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from reclaim.locale import DOMAIN, LANGUAGES, LOCALE_DIR, catalog_path

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

SOURCE_DIR: Final = LOCALE_DIR.parent
# How our code marks messages: _ and translate(...) translate now, N_ marks for later,
# translate.format(...) fills in values, translate.plural(singular, plural, n) counts.
KEYWORDS: Final = {"_": None, "N_": None, "translate": None, "format": None, "plural": (1, 2)}


def extract_messages() -> Catalog:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(domain=DOMAIN, project="reclaim")
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCE_DIR,
        method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(code: str) -> Catalog:
    from babel.messages.pofile import read_po

    with catalog_path(code, "po").open("rb") as handle:
        return read_po(handle, locale=code)


def update_catalogs() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract_messages()
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, omit_header=False, sort_output=True, include_lineno=False)
    for code in LANGUAGES.values():
        path = catalog_path(code, "po")
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = (
            read_catalog(code) if path.exists() else Catalog(locale=code, domain=DOMAIN, project="reclaim")
        )
        catalog.update(template, no_fuzzy_matching=True)
        # The header is ours, not a machine guess: a fuzzy header would be left out of the .mo,
        # and with it the plural rule (Chinese has one form).
        catalog.fuzzy = False
        catalog.copyright_holder = "Reclaim contributors"
        catalog.last_translator = "Reclaim contributors"
        with path.open("wb") as handle:
            write_po(
                handle,
                catalog,
                sort_output=True,
                ignore_obsolete=True,
                include_previous=False,
                include_lineno=False,
            )


def main(argv: list[str]) -> int:
    if argv[1:] != ["update"]:
        sys.stderr.write("usage: python -m reclaim.locale.catalog_tools update\n")
        return 2
    update_catalogs()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
