"""The channel graph as a picture a person can look at: SVG or PNG, with Chinese titles drawn as glyphs."""

from __future__ import annotations

import math
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import networkx as nx

from reclaim.network.graph import EdgeKind, edge_kinds
from reclaim.network.layout import Point, layout_graph

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ft2font import FT2Font

FORMATS: Final = {".svg": "svg", ".png": "png"}
PNG_DPI: Final = 150
NODE_SIZE: Final = 260.0  # marker area in points²
NODE_RADIUS: Final = math.sqrt(NODE_SIZE) / 2  # in points
# Layout units are about half the distance between neighbours; at 0.7 inch each a title fits between two.
INCHES_PER_UNIT: Final = 0.7
MAX_INCHES: Final = 30.0
MARGIN: Final = 1.0  # layout units around the outermost nodes, for their titles

# Families that draw Simplified Chinese, most wanted first: Debian's fonts-noto-cjk, then other
# Linux packages, then the fonts that ship with macOS and Windows.
CJK_FAMILIES: Final = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
    "Arial Unicode MS",
)
# File names of those fonts, for a matplotlib font cache built before the font was installed.
_CJK_FILE_MARKS: Final = ("notosanscjk", "sourcehansans", "wqy-zenhei", "wqy-microhei", "droidsansfallback")
FALLBACK_FAMILY: Final = "DejaVu Sans"


@dataclass(frozen=True)
class EdgeStyle:
    colour: str
    linestyle: Literal["solid", "dashed", "dotted"]
    width: float


# Colour and line style both differ, so the kinds stay apart in grey print and for colour-blind readers.
EDGE_STYLES: Final[dict[EdgeKind, EdgeStyle]] = {
    "reincarnation": EdgeStyle("#c0392b", "solid", 2.4),
    "forwards": EdgeStyle("#2471a3", "dashed", 1.4),
    "shared_media": EdgeStyle("#7d8c8d", "dotted", 1.6),
}
OBSERVED_FILL: Final = "#fde9c9"
UNOBSERVED_FILL: Final = "#ffffff"
NODE_EDGE: Final = "#4d4d4d"


@dataclass(frozen=True)
class LegendText:
    """The legend's words; the CLI passes them translated, the library knows no language."""

    reincarnation: str = "reincarnation (score)"
    forwards: str = "forwards"
    shared_media: str = "shared media"
    unobserved: str = "forwarded from, not observed"

    def for_kind(self, kind: EdgeKind) -> str:
        return str(getattr(self, kind))


def render_graph(graph: nx.DiGraph, path: Path, *, legend: LegendText | None = None) -> None:
    """Draw a graph from `build_graph` to `path`, as SVG or PNG by its suffix (ValueError for others).

    One graph gives one picture however its channels were listed (see `layout_graph`); SVG output is
    byte for byte reproducible. Each edge is drawn as its strongest tie, a reincarnation labelled with
    its score. Without a CJK font Chinese letters come out as boxes: when `cjk_font()` is None, the
    caller should say which font to install.
    """
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise ValueError(f"{path.name}: a graph is drawn as .svg or .png, not {path.suffix or 'no suffix'}")
    import matplotlib

    ordered = _sorted_copy(graph)
    positions = layout_graph(ordered)
    figure = _figure(positions)
    _draw(figure.axes[0], ordered, positions, label_families(), legend or LegendText())
    # A fixed salt gives the same SVG ids on every run; glyphs as outlines need no font where it is viewed.
    with (
        matplotlib.rc_context({"svg.hashsalt": "reclaim-network", "svg.fonttype": "path"}),
        warnings.catch_warnings(),
    ):
        # One warning per missing glyph would repeat, hundreds of times, what cjk_font() tells once.
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        metadata = {"Date": None} if file_format == "svg" else {}
        figure.savefig(path, format=file_format, dpi=PNG_DPI, metadata=metadata, bbox_inches="tight")


def cjk_font() -> str | None:
    """The family of an installed font that draws Chinese titles, or None (Debian: fonts-noto-cjk)."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    if not known.intersection(CJK_FAMILIES):
        # matplotlib caches the font list once; a font installed after that is only found on disk.
        for font_file in font_manager.findSystemFonts():
            if any(mark in Path(font_file).name.lower() for mark in _CJK_FILE_MARKS):
                font_manager.fontManager.addfont(font_file)
        known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def label_families() -> tuple[str, ...]:
    """The font families labels are drawn with, in fallback order: a CJK font when there is one."""
    found = cjk_font()
    return (found, FALLBACK_FAMILY) if found else (FALLBACK_FAMILY,)


def _figure(positions: Mapping[str, Point]) -> Figure:
    from matplotlib.figure import Figure

    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    limits = ((min(xs) - MARGIN, max(xs) + MARGIN), (min(ys) - MARGIN, max(ys) + MARGIN))
    width, height = (high - low for low, high in limits)
    scale = min(INCHES_PER_UNIT, MAX_INCHES / max(width, height))
    # A bare Figure renders through its own canvas: no pyplot, no backend chosen for the process.
    figure = Figure(figsize=(max(width * scale, 4.0), max(height * scale, 3.0)), layout="constrained")
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_aspect("equal")
    axes.set_xlim(*limits[0])
    axes.set_ylim(*limits[1])
    return figure


def _sorted_copy(graph: nx.DiGraph) -> nx.DiGraph:
    ordered = nx.DiGraph()
    ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: str(item[0])))
    ordered.add_edges_from(
        sorted(graph.edges(data=True), key=lambda item: (str(item[0]), str(item[1]))),
    )
    return ordered


def _draw(
    axes: Axes,
    graph: nx.DiGraph,
    positions: Mapping[str, Point],
    families: tuple[str, ...],
    legend: LegendText,
) -> None:
    from matplotlib.font_manager import FontProperties

    font = FontProperties(family=list(families), size=9)
    kinds = _draw_edges(axes, graph, positions, font)
    _draw_nodes(axes, graph, positions, font, _fonts(families))
    unobserved = any(not data.get("observed", True) for _, data in graph.nodes(data=True))
    _draw_legend(axes, kinds, unobserved, font, legend)


def _draw_nodes(
    axes: Axes,
    graph: nx.DiGraph,
    positions: Mapping[str, Point],
    font: FontProperties,
    glyphs: list[FT2Font],
) -> None:
    from matplotlib.patheffects import withStroke

    for observed, fill, linestyle in ((True, OBSERVED_FILL, "solid"), (False, UNOBSERVED_FILL, "dashed")):
        nodes = [node for node, data in graph.nodes(data=True) if data.get("observed", True) == observed]
        if nodes:
            axes.scatter(
                [positions[node][0] for node in nodes],
                [positions[node][1] for node in nodes],
                s=NODE_SIZE,
                c=fill,
                edgecolors=NODE_EDGE,
                linewidths=1.2,
                linestyles=linestyle,
                zorder=3,
            )
    for node, data in graph.nodes(data=True):
        label = _shortened(_drawable(str(data.get("title") or ""), glyphs).strip() or str(node))
        # A white halo under each title keeps it readable over edges without hiding their arrowheads.
        # It is a copy of its own: text with a path effect reaches SVG as bare outlines, while plain
        # text keeps its glyphs named by font and the title beside them in a comment.
        for colour, effects, layer in (
            ("white", [withStroke(linewidth=2.5, foreground="white")], 4),
            ("black", [], 5),
        ):
            axes.annotate(
                label,
                xy=positions[node],
                xytext=(0, -NODE_RADIUS - 2),
                textcoords="offset points",
                ha="center",
                va="top",
                color=colour,
                fontproperties=font,
                parse_math=False,  # a title such as "$$ leaks $$" is text, not TeX
                path_effects=effects,
                zorder=layer,
            )


def _draw_legend(
    axes: Axes,
    kinds: set[EdgeKind],
    unobserved: bool,
    font: FontProperties,
    legend: LegendText,
) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            color=style.colour,
            linestyle=style.linestyle,
            linewidth=style.width,
            label=legend.for_kind(kind),
        )
        for kind, style in EDGE_STYLES.items()
        if kind in kinds
    ]
    if unobserved:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=NODE_RADIUS * 1.2,
                markerfacecolor=UNOBSERVED_FILL,
                markeredgecolor=NODE_EDGE,
                label=legend.unobserved,
            )
        )
    if handles:
        drawn = axes.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, prop=font, frameon=False
        )
        for text in drawn.get_texts():
            text.set_parse_math(False)


def _draw_edges(
    axes: Axes, graph: nx.DiGraph, positions: Mapping[str, Point], font: FontProperties
) -> set[EdgeKind]:
    from matplotlib.patches import FancyArrowPatch

    drawn: set[EdgeKind] = set()
    for source, target, data in graph.edges(data=True):
        kinds = edge_kinds(data)
        if source == target or not kinds:
            continue
        kind = kinds[0]
        style = EDGE_STYLES[kind]
        (x1, y1), (x2, y2) = positions[source], positions[target]
        # Two channels tied both ways get two arcs bowing apart instead of one line drawn twice.
        bend = 0.15 if graph.has_edge(target, source) else 0.0
        axes.add_patch(
            FancyArrowPatch(
                (x1, y1),
                (x2, y2),
                arrowstyle="-|>",
                mutation_scale=12,
                connectionstyle=f"arc3,rad={bend}",
                shrinkA=NODE_RADIUS + 1,
                shrinkB=NODE_RADIUS + 1,
                color=style.colour,
                linestyle=style.linestyle,
                linewidth=style.width,
                zorder=2,
            )
        )
        drawn.add(kind)
        if kind == "reincarnation":
            # The midpoint of arc3's quadratic curve: half the bend, perpendicular to the chord.
            middle_x = (x1 + x2) / 2 + bend * (y2 - y1) / 2
            middle_y = (y1 + y2) / 2 - bend * (x2 - x1) / 2
            axes.text(
                middle_x,
                middle_y,
                f"{float(data['reincarnation']):.2f}",
                color=style.colour,
                ha="center",
                va="center",
                fontproperties=font,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                zorder=5,
            )
    return drawn


def _fonts(families: tuple[str, ...]) -> list[FT2Font]:
    from matplotlib.font_manager import FontProperties, findfont, get_font

    return [get_font(findfont(FontProperties(family=family))) for family in families]


def _drawable(text: str, fonts: list[FT2Font]) -> str:
    """`text` without the emoji and other signs no label font has, which would print as empty boxes.

    Letters and digits stay even then: a title that lost its Chinese would read as another name.
    """
    return "".join(
        char
        for char in text
        if char.isspace()
        or unicodedata.category(char)[0] in "LN"
        or any(font.get_char_index(ord(char)) for font in fonts)
    )


def _shortened(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
