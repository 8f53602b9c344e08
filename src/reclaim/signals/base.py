"""The one small interface every signal type implements, as python-threatexchange does."""

from __future__ import annotations

from typing import ClassVar


class SignalType:
    """A kind of hash: its name, the content it applies to and how two values compare.

    Values are strings at the edges (JSON, CSV, HTTP); each module keeps a typed value inside.
    """

    name: ClassVar[str]
    content_types: ClassVar[tuple[str, ...]]
    # Largest distance still called a match; 0 for exact digests.
    default_threshold: ClassVar[int] = 0

    @staticmethod
    def validate(value: str) -> str:
        """Return the canonical form of ``value`` or raise ValueError."""
        raise NotImplementedError

    @staticmethod
    def distance(left: str, right: str) -> int:
        """Distance between two canonical values; 0 means identical."""
        raise NotImplementedError

    @classmethod
    def matches(cls, left: str, right: str, threshold: int | None = None) -> tuple[bool, int]:
        limit = cls.default_threshold if threshold is None else threshold
        distance = cls.distance(left, right)
        return distance <= limit, distance
