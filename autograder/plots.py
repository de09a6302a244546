"""Dependency-free SVG pictures for the feedback report (matplotlib is not on graders).

Line plots (training curves, mistakes per epoch), A1's decision boundary, A2's trajectory
over the contours of f, A3's computation graph and A4's gradient errors; each drawn from the
plain data the checks recorded, inline in one self-contained HTML file.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, MARGIN = 480, 260, 40
LEFT = 62
"""Left margin of a line plot: room for a y label like 0.000433."""
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
    plot_w, plot_h = WIDTH - LEFT - MARGIN, HEIGHT - 2 * MARGIN

    def point(i: int, v: float) -> str:
        x = LEFT + plot_w * (i / max(1, longest - 1))
        y = MARGIN + plot_h * (1 - (v - low) / (high - low))
        return f"{x:.1f},{y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}"'
        f' y2="{HEIGHT - MARGIN}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{MARGIN}" x2="{LEFT}" y2="{HEIGHT - MARGIN}" stroke="black"/>',
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle">{escape(xlabel)}</text>',
        f'<text x="12" y="{HEIGHT / 2}" transform="rotate(-90 12 {HEIGHT / 2})"'
        f' text-anchor="middle">{escape(ylabel)}</text>',
        f'<text x="{LEFT - 4}" y="{MARGIN + 4}" text-anchor="end">{high:.3g}</text>',
        f'<text x="{LEFT - 4}" y="{HEIGHT - MARGIN}" text-anchor="end">{low:.3g}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - MARGIN + 14}" text-anchor="end">{longest}</text>',
    ]
    for n, curve in enumerate(curves.values()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(point(i, v) for i, v in enumerate(curve))
        dash = ' stroke-dasharray="6 4"' if n else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}"/>'
        )
        if len(curve) <= 60:  # short curves (mistakes per epoch): mark every point
            for i, v in enumerate(curve):
                x, y = point(i, v).split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="{3.5 - n}" fill="{colour}"/>')

    parts += _legend(list(curves), WIDTH - MARGIN, MARGIN - 8)
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- shared pieces


def _frame(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}'
        "</text>",
    ]


def _legend(names: list[str], x: float, y: float) -> list[str]:
    """Names in a row ending at x, above a plot box (so they never hide a curve)."""
    parts, right = [], x
    for i, name in reversed(list(enumerate(names))):
        mark = "- - " if i else "—— "
        parts.append(f'<text x="{right}" y="{y}" text-anchor="end"'
                     f' fill="{COLOURS[i % len(COLOURS)]}">{mark}{escape(name)}</text>')
        right -= 7 * (len(name) + 4) + 12
    return parts


class _Box:
    """Maps data coordinates (x right, y up) into a plot rectangle of the SVG."""

    def __init__(self, xlim, ylim, left, top, width, height):
        self.xlim, self.ylim = xlim, ylim
        self.left, self.top, self.width, self.height = left, top, width, height

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        return (self.left + self.width * (x - x0) / (x1 - x0),
                self.top + self.height * (1 - (y - y0) / (y1 - y0)))

    def clip(self) -> str:
        return (f'<clipPath id="c{id(self)}"><rect x="{self.left}" y="{self.top}"'
                f' width="{self.width}" height="{self.height}"/></clipPath>')

    def axes(self) -> list[str]:
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        r, b = self.left + self.width, self.top + self.height
        return [
            f'<rect x="{self.left}" y="{self.top}" width="{self.width}" height="{self.height}"'
            ' fill="none" stroke="black"/>',
            f'<text x="{self.left}" y="{b + 13}" text-anchor="middle">{x0:.3g}</text>',
            f'<text x="{r}" y="{b + 13}" text-anchor="middle">{x1:.3g}</text>',
            f'<text x="{self.left - 3}" y="{b}" text-anchor="end">{y0:.3g}</text>',
            f'<text x="{self.left - 3}" y="{self.top + 8}" text-anchor="end">{y1:.3g}</text>',
        ]


def _limits(values: list[float], pad: float = 0.1) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high - low < 1e-12:
        low, high = low - 1.0, high + 1.0
    span = high - low
    return low - pad * span, high + pad * span


# ---------------------------------------------------------------- A1: decision boundary


def boundary_svg(points: list[list[float]], labels: list[float],
                 weights: dict[str, list[float]], title: str) -> str:
    """2-D points (+1 filled, -1 hollow) and each named w's line w0 x + w1 y + w2 = 0."""
    W, H = 420, 380
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    box = _Box(_limits(xs), _limits(ys), 45, 40, W - 70, H - 80)
    parts = _frame(W, H, title) + [box.clip()] + box.axes()
    for (x, y), label in zip(points, labels, strict=True):
        px, py = box(x, y)
        fill = "#333" if label > 0 else "white"
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{fill}" stroke="#333"/>')
    (x0, x1), (y0, y1) = box.xlim, box.ylim
    names = []
    for n, (name, w) in enumerate(weights.items()):
        colour = COLOURS[n % len(COLOURS)]
        a, b, c = (list(w) + [0.0, 0.0, 0.0])[:3]
        names.append(name)
        if abs(b) > 1e-12:  # y = -(a x + c) / b
            ends = [(x, -(a * x + c) / b) for x in (x0, x1)]
        elif abs(a) > 1e-12:  # vertical line x = -c / a
            ends = [(-c / a, y0), (-c / a, y1)]
        else:  # w = 0 (or only a bias): no boundary to draw, say so
            names[-1] = f"{name}: w = {[round(v, 3) for v in w]}, no boundary"
            continue
        (ax, ay), (bx, by) = (box(*e) for e in ends)
        dash = ' stroke-dasharray="6 4"' if n else ""
        parts.append(f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}"'
                     f' stroke="{colour}" stroke-width="2"{dash}'
                     f' clip-path="url(#c{id(box)})"/>')
    parts += _legend(names, W - 25, 33)
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- A2: trajectory on contours


def contour_svg(f, trajectories: dict[str, list[list[float]]], title: str,
                levels: int = 12, grid: int = 60) -> str:
    """Contours of f (a trusted callable R^2 -> R) with each named trajectory over them.

    Contours by marching squares on a grid x grid sampling; levels spaced in sqrt(f - min)
    so the valley floor gets as many lines as the walls. Points outside the box are
    clipped: a diverging run leaves the picture, as it leaves the valley."""
    import numpy as np

    W, H = 440, 400
    # The box fits the last trajectory (the reference's) and the start: a student's run
    # that diverges leaves the picture, as it leaves the valley.
    frame = list(trajectories.values())[-1:] or [[[0.0, 0.0]]]
    finite = [p for t in frame for p in t if all(abs(v) < 1e6 for v in p)]
    finite += [t[0] for t in trajectories.values() if t]
    xlim = _limits([p[0] for p in finite] + [0.0], 0.25)
    ylim = _limits([p[1] for p in finite] + [0.0], 0.25)
    box = _Box(xlim, ylim, 45, 40, W - 70, H - 80)
    gx = np.linspace(*xlim, grid)
    gy = np.linspace(*ylim, grid)
    Z = np.array([[f(np.array([x, y])) for x in gx] for y in gy])
    low, high = float(Z.min()), float(Z.max())
    parts = _frame(W, H, title) + [box.clip()]
    segments = []
    for k in range(1, levels + 1):
        level = low + (high - low) * (k / (levels + 1)) ** 2
        segments += _march(gx, gy, Z, level)
    path = " ".join(
        "M{:.1f},{:.1f}L{:.1f},{:.1f}".format(*box(*p), *box(*q)) for p, q in segments)
    parts.append(f'<path d="{path}" stroke="#bbb" fill="none" stroke-width="1"/>')
    for n, t in enumerate(trajectories.values()):
        colour = COLOURS[n % len(COLOURS)]
        pts = " ".join("{:.1f},{:.1f}".format(*box(*p[:2])) for p in t
                       if all(abs(v) < 1e9 for v in p))
        dash = ' stroke-dasharray="6 4"' if n else ""
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"'
                     f'{dash} clip-path="url(#c{id(box)})"/>')
        for p in t[:60]:
            if all(abs(v) < 1e9 for v in p):
                px, py = box(*p[:2])
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2" fill="{colour}"'
                             f' clip-path="url(#c{id(box)})"/>')
    parts += box.axes() + _legend(list(trajectories), W - 25, 33) + ["</svg>"]
    return "\n".join(parts)


def _march(gx, gy, Z, level):
    """Line segments of the level set Z = level (marching squares, no saddle tie-break)."""
    segments = []
    for i in range(len(gy) - 1):
        for j in range(len(gx) - 1):
            corners = [(gx[j], gy[i], Z[i, j]), (gx[j + 1], gy[i], Z[i, j + 1]),
                       (gx[j + 1], gy[i + 1], Z[i + 1, j + 1]), (gx[j], gy[i + 1], Z[i + 1, j])]
            crossings = []
            for (xa, ya, za), (xb, yb, zb) in zip(corners, corners[1:] + corners[:1],
                                                  strict=True):
                if (za - level) * (zb - level) < 0:
                    t = (level - za) / (zb - za)
                    crossings.append((xa + t * (xb - xa), ya + t * (yb - ya)))
            if len(crossings) >= 2:
                segments.append((crossings[0], crossings[1]))
            if len(crossings) == 4:
                segments.append((crossings[2], crossings[3]))
    return segments


# ---------------------------------------------------------------- A3: the computation graph


def graph_svg(graph: dict, title: str) -> str:
    """The failing check's graph: one box per node (value, grad yours / expected), edges
    from operands to results, the first wrong gradient in red, laid out by depth."""
    spec = graph["spec"]
    depth: dict[str, int] = {name: 0 for name in spec["inputs"]}
    labels: dict[str, str] = {name: name for name in spec["inputs"]}
    symbols = {"add": "+", "sub": "-", "mul": "*", "div": "/", "neg": "neg"}
    for node in spec["nodes"]:
        operands = [a for a in node["args"] if isinstance(a, str)]
        depth[node["id"]] = 1 + max((depth[a] for a in operands), default=0)
        op = node["op"]
        label = symbols.get(op, f"**{node.get('exponent')}" if op == "pow" else op)
        consts = [f"{a['const']:.3g}" for a in node["args"] if not isinstance(a, str)]
        labels[node["id"]] = f"{node['id']} = {label}" + (f" ({', '.join(consts)})"
                                                          if consts else "")
    columns: dict[int, list[str]] = {}
    for name, d in depth.items():
        columns.setdefault(d, []).append(name)
    box_w, box_h, gap_x, gap_y = 150, 52, 40, 16
    rows = max(len(c) for c in columns.values())
    W = 20 + len(columns) * (box_w + gap_x)
    H = 50 + rows * (box_h + gap_y) + 30
    where = {}
    for d, names in columns.items():
        for r, name in enumerate(names):
            where[name] = (20 + d * (box_w + gap_x), 36 + r * (box_h + gap_y))
    parts = _frame(W, H, title)
    for node in spec["nodes"]:
        tx, ty = where[node["id"]]
        for a in node["args"]:
            if isinstance(a, str):
                sx, sy = where[a]
                parts.append(f'<line x1="{sx + box_w}" y1="{sy + box_h / 2}" x2="{tx}"'
                             f' y2="{ty + box_h / 2}" stroke="#999"/>')
    wrong = graph.get("wrong", "")
    for name, (x, y) in where.items():
        bad = name == wrong
        stroke, fill = ("#d62728", "#fde8e8") if bad else ("#555", "#f8f8f8")
        parts.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="5"'
                     f' fill="{fill}" stroke="{stroke}" stroke-width="{3 if bad else 1}"/>')
        value = graph["data"].get(name)
        grad = graph["grads"].get(name)
        want = graph["expected_grads"].get(name)
        lines = [labels[name], f"data {_g(value)}"]
        if grad is not None or want is not None:
            lines.append(f"grad {_g(grad)}" + (f" (expected {_g(want)})" if want is not None
                                               else ""))
        for k, text in enumerate(lines):
            weight = ' font-weight="bold"' if k == 0 else ""
            parts.append(f'<text x="{x + 6}" y="{y + 15 + 15 * k}"{weight}>{escape(text)}</text>')
    if wrong:
        parts.append(f'<text x="20" y="{H - 10}" fill="#d62728">red: {escape(wrong)}.grad,'
                     " the first wrong gradient going back from the output</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _g(value) -> str:
    return "?" if value is None else f"{value:.4g}"


# ---------------------------------------------------------------- A4: gradient error bars


def error_bars_svg(errors: dict[str, float | None], title: str, allowed: float) -> str:
    """One bar per parameter: its relative gradient error on a log scale, the limit dashed."""
    import math

    W, H = 440, 260
    names = list(errors)
    low, high = -16.0, 1.0  # log10 of the relative error: 1e-16 (rounding) .. 10
    box = _Box((0, max(1, len(names))), (low, high), 50, 30, W - 80, H - 70)
    parts = _frame(W, H, title) + box.axes()[:1]
    for k in range(int(low), int(high) + 1, 3):
        _, y = box(0, k)
        parts.append(f'<text x="{box.left - 3}" y="{y + 4:.1f}" text-anchor="end">1e{k}</text>')
    bar = box.width / max(1, len(names))
    for i, name in enumerate(names):
        e = errors[name]
        if e is None or not math.isfinite(e):  # wrong shape, or NaN: off the scale
            v, label = high, "wrong shape" if e is None else "not finite"
        else:
            v, label = (max(low, min(high, math.log10(e))) if e > 0 else low), f"{e:.1e}"
        x, y = box(i, v)
        _, y0 = box(i, low)
        colour = "#2ca02c" if e is not None and e <= allowed else "#d62728"
        parts.append(f'<rect x="{x + bar * 0.2:.1f}" y="{min(y, y0 - 2):.1f}"'
                     f' width="{bar * 0.6:.1f}" height="{max(y0 - y, 2):.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{min(y, y0 - 2) - 3:.1f}"'
                     f' text-anchor="middle" font-size="10">{escape(label)}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{y0 + 14:.1f}" text-anchor="middle">'
                     f"{escape(name)}</text>")
    _, ya = box(0, math.log10(allowed))
    parts.append(f'<line x1="{box.left}" y1="{ya:.1f}" x2="{box.left + box.width}" y2="{ya:.1f}"'
                 ' stroke="black" stroke-dasharray="5 3"/>')
    parts.append(f'<text x="{box.left + box.width}" y="{ya - 4:.1f}" text-anchor="end">'
                 f"allowed {allowed:.0e}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
