"""The channel graph drawn for a person: SVG and PNG with Chinese titles as glyphs, and a text summary."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from matplotlib.font_manager import FontProperties, findfont, get_font
from PIL import Image

from reclaim.network import (
    ChannelActivity,
    ChannelRef,
    LegendText,
    build_graph,
    cjk_font,
    render_graph,
    summarize_graph,
)
from reclaim.network.drawing import EDGE_STYLES

START = datetime(2024, 1, 1, tzinfo=UTC)
INSTALL_HINT = "no CJK font found: install the Debian package fonts-noto-cjk (it is in .ci/apt-packages.txt)"
SVG = "{http://www.w3.org/2000/svg}"

# Three generations of one leak channel, each closed and continued by the next; a fan channel that
# merely forwards it; an unrelated channel; and a source the first one forwarded but no scan observed.
LEAK = ChannelRef("100", "面具公园")
BACKUP = ChannelRef("200", "面具公园2.0 备用")
THIRD = ChannelRef("300", "面具公园3 🎭")
FAN = ChannelRef("400", "面具公园粉丝")
WEATHER = ChannelRef("500", "天气预报")
SOURCE = "900"


def generation(channel: ChannelRef, number: int, forwards_from: frozenset[str]) -> ChannelActivity:
    began = START + timedelta(days=60 * number)
    return ChannelActivity(
        channel,
        first_seen=began,
        last_seen=began + timedelta(days=55),
        forwards_from=forwards_from,
        handles=frozenset({f"@mask_admin_{number}", f"@mask_admin_{number + 1}"}),
    )


@pytest.fixture
def activities() -> list[ChannelActivity]:
    return [
        generation(LEAK, 0, frozenset({SOURCE})),
        generation(BACKUP, 1, frozenset({LEAK.id})),
        generation(THIRD, 2, frozenset({BACKUP.id})),
        # Forwards the leak while it is still open: a fan, not a successor.
        ChannelActivity(FAN, START + timedelta(days=5), START + timedelta(days=200), frozenset({LEAK.id})),
        ChannelActivity(WEATHER, START, START + timedelta(days=200)),
    ]


@pytest.fixture
def graph(activities: list[ChannelActivity]) -> nx.DiGraph:
    return build_graph(activities)


@pytest.fixture
def cjk() -> str:
    font = cjk_font()
    assert font is not None, INSTALL_HINT
    return font


def render_quietly(graph: nx.DiGraph, path: Path) -> None:
    # matplotlib tells of trouble it worked around (labels that do not fit, a layout that collapsed) by
    # UserWarning; a sound drawing has none.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("default", DeprecationWarning)  # a library's notice, not the drawing's trouble
        render_graph(graph, path)


def parse_svg(path: Path) -> ET.Element:
    return ET.parse(path, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))).getroot()


def test_svg_draws_every_title_with_cjk_glyphs(graph: nx.DiGraph, cjk: str, tmp_path: Path) -> None:
    path = tmp_path / "network.svg"
    render_quietly(graph, path)
    root = parse_svg(path)
    assert root.tag == f"{SVG}svg"
    # Text is drawn as glyph outlines, each text preceded by a comment that holds it.
    comments = {element.text.strip() for element in root.iter(ET.Comment) if element.text}
    for title in (LEAK.title, BACKUP.title, FAN.title, WEATHER.title):
        assert title in comments
    assert "面具公园3" in comments  # the emoji no label font has is left out, not drawn as a box
    assert SOURCE in comments  # an unobserved channel is labelled by its id
    # Glyph outlines are defined once each, with ids made of the font's PostScript name and glyph index.
    outlines = {
        element.get("id"): element.get("d") for element in root.iter(f"{SVG}path") if element.get("id")
    }
    # LastResort is matplotlib's box for a glyph no font has.
    assert not any("LastResort" in str(name) for name in outlines), INSTALL_HINT
    font = get_font(findfont(FontProperties(family=cjk)))
    for char in set("".join(channel.title for channel in (LEAK, BACKUP, FAN, WEATHER))) - {" ", ".", "2"}:
        index = font.get_char_index(ord(char))
        assert index, f"{cjk} has no glyph for {char}"
        # matplotlib before 3.10 named an outline by character code, since then by glyph index.
        names = (f"{font.postscript_name}-{index:x}", f"{font.postscript_name}-{ord(char):x}")
        assert any(outlines.get(name) for name in names), f"{char} is not drawn in {cjk}"


def test_png_is_a_picture_with_both_kinds_of_edge(graph: nx.DiGraph, cjk: str, tmp_path: Path) -> None:
    path = tmp_path / "network.png"
    render_quietly(graph, path)
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        pixels = np.asarray(image.convert("RGB")).astype(int)
    height, width, _ = pixels.shape
    assert 300 <= width <= 6000
    assert 300 <= height <= 6000
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
    for kind in ("reincarnation", "forwards"):
        colour = np.array([int(EDGE_STYLES[kind].colour[i : i + 2], 16) for i in (1, 3, 5)])
        near = np.abs(pixels - colour).max(axis=2) <= 12
        assert near.sum() > 200, f"hardly any {kind} colour in the picture"


def test_svg_is_reproducible_whatever_the_order_of_channels(
    activities: list[ChannelActivity], cjk: str, tmp_path: Path
) -> None:
    first, again, reversed_order = tmp_path / "a.svg", tmp_path / "b.svg", tmp_path / "c.svg"
    render_quietly(build_graph(activities), first)
    render_quietly(build_graph(activities), again)
    render_quietly(build_graph(list(reversed(activities))), reversed_order)
    assert first.read_bytes() == again.read_bytes() == reversed_order.read_bytes()


def test_the_legend_takes_the_callers_words(graph: nx.DiGraph, cjk: str, tmp_path: Path) -> None:
    path = tmp_path / "zh.svg"
    legend = LegendText(
        reincarnation="重生 (分数)", forwards="转发", shared_media="共享媒体", unobserved="未观测"
    )
    render_graph(graph, path, legend=legend)
    comments = {element.text.strip() for element in parse_svg(path).iter(ET.Comment) if element.text}
    assert {"重生 (分数)", "转发", "未观测"} <= comments
    assert "共享媒体" not in comments  # no edge of that kind, so no legend entry
    assert "forwards" not in comments


@pytest.mark.parametrize("name", ["network.pdf", "network.jpg", "network", "network.svg.txt"])
def test_other_suffixes_are_refused(graph: nx.DiGraph, tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        render_graph(graph, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_an_upper_case_suffix_is_accepted(graph: nx.DiGraph, tmp_path: Path) -> None:
    path = tmp_path / "NETWORK.PNG"
    render_graph(graph, path)
    with Image.open(path) as image:
        assert image.format == "PNG"


def test_an_empty_graph_still_gives_a_picture(tmp_path: Path) -> None:
    path = tmp_path / "empty.svg"
    render_graph(nx.DiGraph(), path)
    assert parse_svg(path).tag == f"{SVG}svg"


def test_summary_follows_the_reincarnation_chain_across_three_generations(graph: nx.DiGraph) -> None:
    summary = summarize_graph(graph)
    assert summary.chains == ((LEAK, BACKUP, THIRD),)
    assert summary.channels == 6
    assert summary.unobserved == 1
    # One forward into the leak, two between generations, one from the fan.
    assert summary.edges_by_kind == {"reincarnation": 2, "forwards": 4, "shared_media": 0}
    assert summary.edges == 4


def test_summary_gives_each_line_of_descent_its_own_chain(activities: list[ChannelActivity]) -> None:
    # A second successor of the leak, started on the same day as the first.
    split = ChannelRef("600", "面具公园 新群")
    sibling = ChannelActivity(
        split,
        first_seen=START + timedelta(days=60),
        last_seen=START + timedelta(days=300),
        forwards_from=frozenset({LEAK.id}),
        handles=frozenset({"@mask_admin_1"}),
    )
    summary = summarize_graph(build_graph([*activities, sibling]))
    assert summary.chains == ((LEAK, BACKUP, THIRD), (LEAK, split))


def test_a_channel_forwarding_itself_adds_no_edge() -> None:
    channel = ChannelActivity(LEAK, START, START + timedelta(days=3), forwards_from=frozenset({LEAK.id}))
    graph = build_graph([channel])
    assert graph.number_of_edges() == 0
    assert graph.nodes[LEAK.id]["observed"] is True


def test_two_channels_naming_each_other_make_one_chain_not_a_loop() -> None:
    # Both began on the same day and share what they posted, so each is the other's best predecessor.
    twins = [
        ChannelActivity(
            ref, START, START + timedelta(days=3), handles=frozenset({"@mask_admin", "@mask_park"})
        )
        for ref in (BACKUP, LEAK)
    ]
    graph = build_graph(twins)
    assert graph.has_edge(LEAK.id, BACKUP.id)
    assert graph.has_edge(BACKUP.id, LEAK.id)
    assert summarize_graph(graph).chains == ((LEAK, BACKUP),)
