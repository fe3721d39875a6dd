"""Server-rendered SVG charts: readable without JavaScript, and allowed by a strict CSP.

Colours and fonts are presentation attributes (not `style`), which the CSP does not restrict.
Every bar carries a <title> (a tooltip and a name for screen readers); the chart as a whole is
named by its <title> and <desc> via aria-labelledby. Pages show the numbers as a table too.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

TEXT_COLOUR = "#212529"
GRID_COLOUR = "#dee2e6"
AXIS_COLOUR = "#6c757d"


@dataclass(frozen=True)
class Series:
    label: str
    values: list  # numbers, or None where there is no value (yet)
    colour: str


def _nice_step(maximum: float, steps: int = 4) -> int:
    """A round step for the value axis (1, 2, 5, 10, 20, 50 …) giving about `steps` grid lines."""
    raw = max(maximum, 1) / steps
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def _fmt(number) -> str:
    return f"{number:,}".replace(",", ".") if isinstance(number, int) else str(number)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    value_label: str = "",
    width: int = 760,
    height: int = 280,
) -> SafeString:
    """A grouped bar chart: one group per category, one bar per series."""
    left, right, top, bottom = 44, 8, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    step = _nice_step(max(values, default=0))
    ceiling = step * max(1, -(-max(values, default=0) // step))
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)

    def y(value):
        return top + plot_h - plot_h * value / ceiling

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id={quoteattr(chart_id)} class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in range(0, int(ceiling) + 1, step):
        ty = round(y(tick), 1)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{ty}" y2="{ty}" stroke="{GRID_COLOUR}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{ty + 4}" text-anchor="end" fill="{TEXT_COLOUR}" aria-hidden="true">'
            f"{_fmt(tick)}</text>"
        )
    for index, category in enumerate(categories):
        group_x = left + index * group_w + group_w * 0.1
        for offset, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else None
            if value is None:
                continue
            bx, by = round(group_x + offset * bar_w, 1), round(y(value), 1)
            bh = round(top + plot_h - by, 1)
            label = escape(f"{category} {s.label}: {_fmt(value)} {value_label}".strip())
            parts.append(
                f'<rect x="{bx}" y="{by}" width="{round(bar_w - 1, 1)}" height="{bh}" fill="{s.colour}">'
                f"<title>{label}</title></rect>"
            )
        cx = round(left + index * group_w + group_w / 2, 1)
        parts.append(
            f'<text x="{cx}" y="{top + plot_h + 16}" text-anchor="middle" fill="{TEXT_COLOUR}" aria-hidden="true">'
            f"{escape(category)}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{AXIS_COLOUR}"/>'
    )
    legend_x = left
    legend_y = height - 14
    for s in series:
        parts.append(f'<rect x="{legend_x}" y="{legend_y - 10}" width="12" height="12" fill="{s.colour}"/>')
        parts.append(f'<text x="{legend_x + 18}" y="{legend_y}" fill="{TEXT_COLOUR}">{escape(s.label)}</text>')
        legend_x += 30 + 8 * len(s.label)
    parts.append("</svg>")
    # Every text and attribute value above is escaped.
    return mark_safe("".join(parts))  # noqa: S308
