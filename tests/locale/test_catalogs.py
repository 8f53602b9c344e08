"""Every message a person reads exists in both catalogs, translated, with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from reclaim.locale import LANGUAGES, detect_language, load_translator, normalize_language
from reclaim.locale.catalog_tools import extract_messages, read_catalog

SOURCE_MESSAGES = [message for message in extract_messages() if message.id]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("code", sorted(LANGUAGES.values()))
def test_every_message_in_the_code_is_translated(code: str) -> None:
    catalog = read_catalog(code)
    missing = []
    for message in SOURCE_MESSAGES:
        entry = catalog.get(message.id)
        strings = entry.string if entry else None
        values = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(values):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, f"{len(missing)} messages untranslated in {code}: {missing[:10]}"


@pytest.mark.parametrize("code", sorted(LANGUAGES.values()))
def test_translations_keep_every_placeholder(code: str) -> None:
    for entry in read_catalog(code):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        for index, text in enumerate(strings):
            # Each form keeps what its own English form says (Click's plural names its value
            # differently); a language with one form keeps what the singular says.
            own = ids[index] if len(strings) == len(ids) else ids[0]
            assert placeholders(text) <= expected | {"count"}, (entry.id, text)
            assert placeholders(text) >= placeholders(own) - {"count"}, (entry.id, text)


def test_chinese_catalog_is_really_chinese() -> None:
    translate = load_translator("zh")
    text = translate("Show this message and exit.")
    assert re.search(r"[\u4e00-\u9fff]", text)


def test_language_comes_from_the_option_then_the_environment() -> None:
    assert detect_language(["hash", "--lang", "zh"], {"LANG": "en_US.UTF-8"}) == "zh"
    assert detect_language(["--lang=en"], {"LANG": "zh_CN.UTF-8"}) == "en"
    assert detect_language([], {"RECLAIM_LANG": "zh"}) == "zh"
    assert detect_language([], {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert detect_language([], {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert detect_language([], {}) == "en"
    assert normalize_language("zh-Hans") == "zh"
    assert normalize_language("fr") == "en"
