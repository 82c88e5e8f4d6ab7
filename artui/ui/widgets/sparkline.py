"""Sparklines for table cells: one line of ▁▂▃▄▅▆▇█ where a missing point stays missing.

Textual's own `textual.renderables.sparkline.Sparkline` takes numbers only (no gaps), scales
from the data's minimum (a steady line looks like noise) and measures to its container's
width; a DataTable cell needs a fixed-width `Text` that shows a gap as a gap, so this draws
its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

BARS = "▁▂▃▄▅▆▇█"
GAP = "·"


def buckets(values: Sequence[float | None], width: int) -> list[float | None]:
    """`values` summed into `width` cells, oldest first; a cell with no value is None.

    With fewer values than cells each value keeps a cell of its own, at the right.
    """
    count = len(values)
    if width <= 0:
        return []
    if count <= width:
        return [None] * (width - count) + list(values)
    out: list[float | None] = []
    for cell in range(width):
        held = [
            v for v in values[cell * count // width : (cell + 1) * count // width] if v is not None
        ]
        out.append(sum(held) if held else None)
    return out


def sparkline(
    values: Sequence[float | None],
    width: int,
    *,
    top: float | None = None,
    style: str = "",
) -> Text:
    """`values` bucketed into `width` cells as bars from zero up to `top` (default: the
    highest cell); a gap (None) is a dim `·`, never a bar, and zero is the lowest bar, dim.
    """
    cells = buckets(values, width)
    highest = max((v for v in cells if v is not None), default=0.0)
    top = max(top or 0.0, highest)
    line = Text(no_wrap=True, overflow="crop")
    for value in cells:
        if value is None:
            line.append(GAP, style="dim")
        elif value <= 0 or top <= 0:
            line.append(BARS[0], style=f"{style} dim".strip())
        else:
            # Rounded to the nearest bar, so a steady line a little below its peak shows its
            # dips; anything above zero keeps at least the lowest bar.
            level = min(len(BARS) - 1, round(value / top * (len(BARS) - 1)))
            line.append(BARS[level], style=style)
    return line
