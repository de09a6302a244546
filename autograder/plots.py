"""Tiny dependency-free SVG line plots for feedback reports (no matplotlib on graders)."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, MARGIN = 480, 260, 40
COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")


def line_plot_svg(
    curves: dict[str, list[float]], title: str, xlabel: str = "epoch", ylabel: str = "loss"
) -> str:
    """An SVG of one line per named curve, sharing axes scaled to all of them."""
    values = [v for curve in curves.values() for v in curve]
    longest = max((len(c) for c in curves.values()), default=1)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        high = low + 1.0
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def point(i: int, v: float) -> str:
        x = MARGIN + plot_w * (i / max(1, longest - 1))
        y = MARGIN + plot_h * (1 - (v - low) / (high - low))
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}"'
        f' y2="{HEIGHT - MARGIN}" stroke="black"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{HEIGHT - MARGIN}" stroke="black"/>',
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle">{escape(xlabel)}</text>',
        f'<text x="12" y="{HEIGHT / 2}" transform="rotate(-90 12 {HEIGHT / 2})"'
        f' text-anchor="middle">{escape(ylabel)}</text>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" text-anchor="end">{high:.3g}</text>',
        f'<text x="{MARGIN - 4}" y="{HEIGHT - MARGIN}" text-anchor="end">{low:.3g}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - MARGIN + 14}" text-anchor="end">{longest}</text>',
    ]
    for n, (name, curve) in enumerate(curves.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(point(i, v) for i, v in enumerate(curve))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        parts.append(
            f'<text x="{WIDTH - MARGIN - 4}" y="{MARGIN + 14 * (n + 1)}"'
            f' text-anchor="end" fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
