"""Settings come from the environment once, with clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from reclaim.config import MediaLimits, load_settings
from reclaim.errors import UserInputError


def test_defaults_put_everything_in_the_home(tmp_path: Path) -> None:
    settings = load_settings({"RECLAIM_HOME": str(tmp_path)})
    assert settings.home == tmp_path
    assert settings.database_url == f"sqlite:///{tmp_path / 'reclaim.sqlite3'}"
    assert settings.signing_key_path.parent.parent == tmp_path
    assert settings.limits == MediaLimits()


def test_database_url_and_limits_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "RECLAIM_HOME": str(tmp_path),
            "RECLAIM_DATABASE_URL": "postgresql+psycopg://reclaim@db/reclaim",
            "RECLAIM_MAX_IMAGE_PIXELS": "1000",
            "RECLAIM_MAX_VIDEO_SECONDS": "60",
        }
    )
    assert settings.database_url == "postgresql+psycopg://reclaim@db/reclaim"
    assert settings.limits.max_image_pixels == 1000
    assert settings.limits.max_video_seconds == 60.0


@pytest.mark.parametrize("value", ["many", "1.5", "-3", "0"])
def test_a_bad_limit_is_a_clear_error(value: str) -> None:
    with pytest.raises(UserInputError, match="RECLAIM_MAX_FILE_BYTES"):
        load_settings({"RECLAIM_MAX_FILE_BYTES": value})
