"""Robust views: each detector puts its box on the photo's own edges, and the bank's crops stay large."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from reclaim.signals.pdq import PdqHash, luma_from_rgb, pdq_from_luma
from reclaim.signals.regions import (
    find_centred_photo,
    find_regions,
    trim_flat_borders,
    trim_low_detail_borders,
)
from reclaim.signals.robust import (
    CENTRE_CROPS,
    CORNERS,
    TILE_ASPECTS,
    View,
    bank_crops,
    bank_views,
    only_meets,
    protected_views,
    query_views,
)
from reclaim.signals.tilt import estimate_tilt
from tests.robust_edits import bordered, collage, decoded, decoded_rgb, jpeg, sample, screenshot


def own_hash(photo: Image.Image) -> PdqHash:
    return pdq_from_luma(luma_from_rgb(np.asarray(photo)))


def nearest(views: list[View], target: PdqHash) -> View:
    return min(views, key=lambda v: v.hash.distance(target))


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return sample("astronaut")


def test_query_views_start_with_the_whole_image_and_its_dihedral_variants(astronaut: Image.Image) -> None:
    views = query_views(decoded(jpeg(astronaut)))
    assert views[0].via == "whole"
    assert {"whole+mirror", "whole+rotate90", "whole+rotate180", "whole+rotate270"} <= {v.via for v in views}
    assert len({v.hash.bits for v in views}) == len(views)


def test_trimming_cuts_bars_to_the_pixel(astronaut: Image.Image) -> None:
    plane = decoded(jpeg(bordered(astronaut)))
    box = trim_flat_borders(plane)
    # bordered() puts the photo at (30, 100); JPEG ringing may smear one pixel.
    assert abs(box.left - 30) <= 1 and abs(box.top - 100) <= 1
    assert abs(box.width - astronaut.width) <= 2 and abs(box.height - astronaut.height) <= 2


@pytest.mark.parametrize("quality", [15, 30])
def test_trimming_sees_through_jpeg_ringing(astronaut: Image.Image, quality: int) -> None:
    box = trim_flat_borders(decoded(jpeg(bordered(astronaut), quality)))
    assert (box.top, box.left, box.height, box.width) == (100, 30, astronaut.height, astronaut.width)


def test_a_flat_sky_is_not_taken_for_a_bar() -> None:
    camera = sample("camera")  # a cameraman under a plain sky
    canvas = Image.new("RGB", (camera.width, camera.height + 300), (0, 0, 0))
    canvas.paste(camera, (0, 150))
    box = trim_flat_borders(decoded(jpeg(canvas)))
    assert abs(box.top - 150) <= 1 and abs(box.bottom - (150 + camera.height)) <= 1


def test_blurred_fill_is_cut_off_as_low_detail(astronaut: Image.Image) -> None:
    from PIL import ImageFilter, ImageOps

    canvas = ImageOps.fit(astronaut, (512, 910)).filter(ImageFilter.GaussianBlur(24))
    canvas.paste(astronaut, (0, 199))
    plane = decoded(jpeg(canvas))
    for box in (trim_low_detail_borders(plane), find_centred_photo(plane)):
        assert abs(box.top - 199) <= 2 and abs(box.bottom - 711) <= 2


def test_the_photo_in_a_chat_screenshot_is_one_of_the_regions(astronaut: Image.Image) -> None:
    views = query_views(decoded(jpeg(screenshot(astronaut), 80)))
    best = nearest(views, own_hash(astronaut))
    assert best.kind == "region"
    assert best.hash.distance(own_hash(astronaut)) <= best.threshold


def test_each_tile_of_a_collage_is_a_region(astronaut: Image.Image) -> None:
    coffee = sample("coffee")
    plane = decoded(jpeg(collage(astronaut, coffee)))
    hashes = [pdq_from_luma(box.of(plane)) for box in find_regions(plane)]
    for photo in (astronaut, coffee):
        assert min(h.distance(own_hash(photo)) for h in hashes) <= 31


@pytest.mark.parametrize("angle", [-9.0, -3.5, 2.0, 7.0])
def test_tilt_on_a_canvas_is_read_to_a_few_tenths_of_a_degree(astronaut: Image.Image, angle: float) -> None:
    turned = astronaut.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    estimate = estimate_tilt(decoded(jpeg(turned)))
    assert estimate is not None
    assert abs(estimate - angle) <= 0.3


def test_no_tilt_is_read_from_an_upright_photo(astronaut: Image.Image) -> None:
    assert estimate_tilt(decoded(jpeg(astronaut))) is None


def test_a_tilted_photo_is_turned_back_and_matches(astronaut: Image.Image) -> None:
    turned = astronaut.rotate(-6, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    best = nearest(query_views(decoded(jpeg(turned))), own_hash(astronaut))
    assert best.kind == "tilt"
    assert best.hash.distance(own_hash(astronaut)) <= best.threshold


@pytest.mark.parametrize("size", [(512, 512), (600, 400), (400, 600), (1080, 1920), (3000, 4000)])
def test_bank_crops_are_few_and_large(size: tuple[int, int]) -> None:
    height, width = size
    crops = bank_crops(height, width)
    anchored = 2 + len(CORNERS)  # the middle of each axis, and each corner
    assert len(CENTRE_CROPS) + anchored <= len(crops) <= len(CENTRE_CROPS) + len(TILE_ASPECTS) + anchored
    for via, box in crops:
        # Privacy (docs/robust-matching.md): no crop keeps less than 3/4 of both sides or 2/3 of
        # one side and all of the other, so none sees much finer detail than the photo's own hash.
        kept_y, kept_x = box.height / height, box.width / width
        assert (min(kept_y, kept_x) >= 0.75) or (min(kept_y, kept_x) >= 0.66 and max(kept_y, kept_x) == 1)
        if "corner" in via:  # anchored at its corner
            assert box.top in (0, height - box.height) and box.left in (0, width - box.width)
        else:  # centred
            assert abs((box.top + box.bottom) - height) <= 1 and abs((box.left + box.right) - width) <= 1


def test_bank_views_hash_each_crop_once(astronaut: Image.Image) -> None:
    views = bank_views(decoded(jpeg(astronaut)))
    assert {v.kind for v in views} == {"crop"}
    assert len(views) == len(bank_crops(astronaut.height, astronaut.width))


def test_protected_views_start_with_the_photos_own_hash(astronaut: Image.Image) -> None:
    luma = decoded(jpeg(astronaut))
    views = protected_views(luma)
    assert views[0].via == "whole" and views[0].hash == pdq_from_luma(luma)
    assert [v.via for v in views[1:]] == [v.via for v in bank_views(luma)]


def test_a_centre_crop_is_near_one_of_the_bank_views(astronaut: Image.Image) -> None:
    w, h = astronaut.size
    cropped = astronaut.crop((w // 10, h // 10, w - w // 10, h - h // 10))  # keeps 80 %
    query = pdq_from_luma(decoded(jpeg(cropped)))
    assert query.distance(own_hash(astronaut)) > 31  # plain PDQ loses it
    assert min(v.hash.distance(query) for v in bank_views(decoded(jpeg(astronaut)))) <= 28


def test_colour_tells_a_pale_sky_from_a_chat_background_of_the_same_brightness(
    astronaut: Image.Image,
) -> None:
    from PIL import ImageDraw

    photo = astronaut.copy()
    # Pale yellow, luma 232: the brightness of the beige chat background, another colour.
    ImageDraw.Draw(photo).rectangle((0, 0, photo.width, photo.height * 2 // 5), fill=(250, 235, 170))
    found = jpeg(screenshot(photo), 80)
    best = nearest(query_views(decoded_rgb(found)), own_hash(photo))
    assert best.kind == "region"
    assert best.hash.distance(own_hash(photo)) <= best.threshold


def nearest_allowed(views: list[View], bank: list[View]) -> tuple[int, View, View]:
    """The nearest pair the matcher would compare (``only_meets``)."""
    pairs = [
        (q.hash.distance(b.hash), q, b) for q in views for b in bank if only_meets(q.via) in (None, b.via)
    ]
    return min(pairs, key=lambda p: p[0])


@pytest.mark.parametrize(
    "cut",
    [
        (0.0, 0.0, 0.2, 0.0),  # the right fifth off
        (0.12, 0.0, 0.0, 0.0),  # the left 12 %
        (0.0, 0.0, 0.1, 0.22),  # a corner: 10 % of the width, 22 % of the height
        (0.07, 0.18, 0.0, 0.0),
    ],
)
def test_a_crop_from_a_side_or_a_corner_meets_the_window_of_its_corner(
    astronaut: Image.Image, cut: tuple[float, float, float, float]
) -> None:
    left, top, right, bottom = cut
    w, h = astronaut.size
    cropped = astronaut.crop(
        (round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom)))
    )
    bank = protected_views(decoded(jpeg(astronaut, 92)))
    views = query_views(decoded_rgb(jpeg(cropped)))
    assert min(v.hash.distance(bank[0].hash) for v in views if v.kind == "whole") > 36  # PDQ loses it
    distance, query, met = nearest_allowed(views, bank)
    assert query.kind == "corner" and met.via.startswith("crop+corner-")
    assert distance <= query.threshold


@pytest.mark.parametrize("aspect", [0.7, 0.82, 1.4])  # keeps 70-82 % of one axis
def test_a_photo_cut_to_a_tile_of_any_aspect_meets_the_middle_of_its_axis(
    astronaut: Image.Image, aspect: float
) -> None:
    from PIL import ImageOps

    tile = ImageOps.fit(astronaut, (round(480 * aspect), 480))
    bank = protected_views(decoded(jpeg(astronaut, 92)))
    views = query_views(decoded_rgb(jpeg(tile)))
    assert min(v.hash.distance(bank[0].hash) for v in views if v.kind == "whole") > 36  # PDQ loses it
    distance, query, met = nearest_allowed(views, bank)
    assert distance <= min(query.threshold, met.threshold)


def test_corner_and_middle_views_meet_only_their_own_bank_window() -> None:
    assert only_meets("corner+tl") == "crop+corner-tl"
    assert only_meets("middle+cols") == "crop+middle-cols"
    assert only_meets("whole") is None and only_meets("region") is None


def test_a_photo_turned_within_its_frame_meets_a_centred_crop_past_its_lost_corners(
    astronaut: Image.Image,
) -> None:
    turned = astronaut.rotate(7, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
    bank = protected_views(decoded(jpeg(astronaut, 92)))
    views = query_views(decoded_rgb(jpeg(turned)))
    distance, query, met = nearest_allowed(views, bank)
    assert query.via.startswith("tilt+") and query.via.endswith(("centre88", "centre82", "centre76"))
    assert met.via == "crop+" + query.via.rsplit("+", 1)[1]  # the same crop, cut in the bank
    assert distance <= min(query.threshold, met.threshold)
