"""How alike two channel titles are once version and backup decorations are stripped."""

from __future__ import annotations

import re
import unicodedata

# Words that a regrouped channel adds to its old name. Latin words count only when no letter touches them,
# so "new" leaves "newton" alone; Chinese has no word boundaries, so its words go wherever they stand.
_LATIN_DECORATIONS = ("official", "channel", "backup", "new")
_CHINESE_DECORATIONS = ("备用", "官方", "频道", "新", "群")
_DECORATION_PATTERN = re.compile(
    "|".join(
        [rf"(?<![a-z]){word}(?![a-z])" for word in _LATIN_DECORATIONS]
        + [re.escape(word) for word in _CHINESE_DECORATIONS]
    )
)


def title_core(title: str) -> str:
    """The part of a title that names the channel: NFKC-folded, lowercased, without decorations.

    Digits ("2.0"), punctuation, symbols (emoji) and whitespace are dropped along with the words
    that mark a backup or new copy, so "面具公园2.0 备用" and "面具公园" share the core "面具公园".
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    stripped = _DECORATION_PATTERN.sub("", folded)
    return "".join(char for char in stripped if unicodedata.category(char)[0] in "LM")


def title_similarity(left: str, right: str) -> float:
    """Similarity in [0, 1] of two titles' cores: 1.0 when equal, else Dice over character bigrams.

    Character bigrams suit Chinese, which has no word boundaries; a one-character core is its own gram.
    """
    left_core, right_core = title_core(left), title_core(right)
    if not left_core or not right_core:
        return 0.0
    if left_core == right_core:
        return 1.0
    left_grams, right_grams = _bigrams(left_core), _bigrams(right_core)
    shared = len(left_grams & right_grams)
    return 2 * shared / (len(left_grams) + len(right_grams))


def _bigrams(core: str) -> frozenset[str]:
    if len(core) < 2:
        return frozenset({core})
    return frozenset(core[index : index + 2] for index in range(len(core) - 1))
