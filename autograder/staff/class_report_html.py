"""``autograder report GRADEBOOK --out class.html``: the class report as one HTML page.

Self-contained (inline CSS and SVG, no script, no network): histograms of the totals and of
each task's points, per task its checks' pass rates and most common failures (grouped
after normalising, with how many students share each and one example), the diagnosed
misconceptions by count, the students with errors and why, grading time per assignment,
and every student linked to their feedback page when grade-all's ``--out`` is given.
"""

from __future__ import annotations

import argparse
import os
from html import escape
from pathlib import Path

from autograder.plots import _frame
from autograder.report import STYLE, points
from autograder.staff.class_report import ClassReport, build, catalogue_ids, terminal_summary

BINS = 10
"""Bars of a histogram: points from 0 to the maximum in ten equal bins (the last one
closed, so full marks have their own bar's right edge)."""

FAILURES_SHOWN = 3
"""Failure groups listed per check: the most common; the rest are counted."""

HIST_W, HIST_H, PAD = 360, 170, 30

PAGE_STYLE = STYLE + """
.bar{fill:#1f77b4} .grid{display:flex;flex-wrap:wrap;gap:8px}
td.num{text-align:right} td.nowrap{white-space:nowrap}
.rate{display:inline-block;height:10px;background:#2ca02c}
.rate.bad{background:#d62728} details{margin:2px 0 6px 0} summary{cursor:pointer}
small{color:#555}"""


def histogram_svg(values: list[float], maximum: float, title: str) -> str:
    """Counts of ``values`` in BINS equal bins over [0, maximum], as a bar chart."""
    counts = [0] * BINS
    for v in values:
        i = int(BINS * v / maximum) if maximum > 0 else 0
        counts[min(max(i, 0), BINS - 1)] += 1
    top = max(counts) or 1
    plot_w, plot_h = HIST_W - 2 * PAD, HIST_H - 2 * PAD
    parts = _frame(HIST_W, HIST_H, title)
    bar_w = plot_w / BINS
    for i, n in enumerate(counts):
        h = plot_h * n / top
        x, y = PAD + i * bar_w, PAD + plot_h - h
        parts.append(f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}"'
                     f' height="{h:.1f}" fill="#1f77b4"><title>{n}</title></rect>')
        if n:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}"'
                         f' text-anchor="middle">{n}</text>')
    base = PAD + plot_h
    parts += [
        f'<line x1="{PAD}" y1="{base}" x2="{PAD + plot_w}" y2="{base}" stroke="black"/>',
        f'<text x="{PAD}" y="{base + 14}" text-anchor="middle">0</text>',
        f'<text x="{PAD + plot_w}" y="{base + 14}" text-anchor="middle">{maximum:g}</text>',
        f'<text x="{HIST_W / 2}" y="{base + 24}" text-anchor="middle">points</text>',
        "</svg>",
    ]
    return "\n".join(parts)


def _rate(share: float) -> str:
    cls = "rate" if share >= 0.5 else "rate bad"
    return f"<span class='{cls}' style='width:{60 * share:.0f}px'></span> {share:.0%}"


def _link(target: Path | None, page: Path) -> str | None:
    if target is None:
        return None
    return Path(os.path.relpath(target.resolve(), page.resolve().parent)).as_posix()


def render(report: ClassReport, page: Path) -> str:
    """The page's HTML; links to feedback pages are relative to where ``page`` is written."""
    e = escape
    totals = [s.score for s in report.graded]
    maximum = report.students[0].max_score
    figures = [histogram_svg(totals, maximum, "Totals (graded students)")] + [
        histogram_svg(list(t.scores.values()), t.max_points, f"{t.assignment}:{t.task} {t.title}")
        for t in report.tasks
    ]
    task_rows = "".join(
        f"<tr><td>{t.assignment}:{t.task}</td><td><code>{e(t.title)}</code></td>"
        f"<td class=num>{t.mean:.2f} / {points(t.max_points)}</td>"
        f"<td>{_rate(t.share_full)} ({t.full} of {len(t.scores)})</td></tr>"
        for t in report.tasks)
    check_sections = []
    for t in report.tasks:
        rows = []
        for c in sorted(report.checks_of(t), key=lambda c: (c.pass_rate, c.name)):
            groups = c.common_failures()
            shown = "".join(
                f"<details><summary><b>{len(g.students)}</b> student(s):"
                f" <code>{e(' / '.join(g.pattern.splitlines()[:2]))}</code></summary>"
                f"<pre>{e(g.pattern)}</pre><small>example ({e(g.example_student)}):</small>"
                f"<pre>{e(g.example)}</pre><small>students: {e(', '.join(g.students))}"
                "</small></details>"
                for g in groups[:FAILURES_SHOWN])
            more = (f"<small>and {len(groups) - FAILURES_SHOWN} other failure(s)</small>"
                    if len(groups) > FAILURES_SHOWN else "")
            rows.append(
                f"<tr><td>{e(c.name)}{' <small>(hidden)</small>' if c.hidden else ''}</td>"
                f"<td class=nowrap>{_rate(c.pass_rate)} ({c.passed} of {c.ran})</td>"
                f"<td>{shown}{more}</td></tr>")
        check_sections.append(
            f"<h3>{t.assignment}:{t.task} <code>{e(t.title)}</code></h3>"
            "<table><tr><th>check</th><th>passed</th><th>most common failures</th></tr>"
            + "".join(rows) + "</table>")
    ranked = sorted(report.misconceptions.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ids = catalogue_ids()
    misconceptions = (
        "<table><tr><th>students</th><th>misconception</th><th>diagnosis</th><th>who</th></tr>"
        + "".join(f"<tr><td class=num>{len(who)}</td><td><code>{e(ids.get(said, '?'))}</code>"
                  f"</td><td>{e(said)}</td><td>{e(', '.join(who))}</td></tr>"
                  for said, who in ranked) + "</table>"
    ) if ranked else "<p>No misconception diagnosed.</p>"
    errors = ("<table><tr><th>student</th><th>why</th></tr>" + "".join(
        f"<tr class=lost><td>{e(s.student)}</td><td><code>{e(s.reason)}</code></td></tr>"
        for s in report.errors) + "</table>") if report.errors else "<p>None.</p>"
    times = "".join(
        f"<tr><td>{aid}</td><td class=num>{sum(v) / len(v):.2f}</td>"
        f"<td class=num>{max(v):.2f}</td><td class=num>{len(v)}</td></tr>"
        for aid, v in sorted(report.seconds.items()))
    student_rows = []
    for s in report.students:
        href = _link(s.feedback, page)
        name = f"<a href='{e(href)}'>{e(s.student)}</a>" if href else e(s.student)
        status = "lost" if s.status == "error" else "ok" if s.score >= s.max_score else ""
        total = (f"{points(s.score)} / {points(s.max_score)}" if s.status == "graded"
                 else "not graded")
        student_rows.append(
            f"<tr class='{status}'><td>{name}</td><td class=num>{total}</td><td>{e(s.status)}</td>"
            f"<td class=num>{s.seconds:.1f}</td><td><small>{e(s.reason)}</small></td></tr>")
    mean = sum(totals) / len(totals) if totals else 0.0
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Class report: {e(str(report.gradebook))}</title>
<style>{PAGE_STYLE}</style></head><body>
<h1>Class report</h1>
<p>{len(report.students)} students, assignments {e(', '.join(report.assignments))};
mean total of the {len(totals)} graded <b>{points(mean)} / {points(maximum)}</b>;
{len(report.errors)} not graded (listed below, not counted).
Gradebook: <code>{e(str(report.gradebook))}</code></p>
<h2>Distributions</h2><div class=grid>{''.join(figures)}</div>
<h2>Tasks</h2><table><tr><th>task</th><th>what</th><th>mean</th><th>full marks</th></tr>
{task_rows}</table>
<h2>Diagnosed misconceptions</h2>
<p><small>Each counted once per student; a diagnosis is written only when the student's
result equals a catalogued wrong variant's on the failing input.</small></p>{misconceptions}
<h2>Checks: pass rate and most common failures</h2>
<p><small>Failures grouped after replacing numbers with N and array literals with […].
</small></p>{''.join(check_sections)}
<h2>Not graded (errors)</h2>{errors}
<h2>Grading time per assignment</h2>
<table><tr><th>assignment</th><th>mean s (checks)</th><th>max s</th><th>students</th></tr>
{times}</table>
<h2>Students</h2>
<table><tr><th>student</th><th>total</th><th>status</th><th>s</th><th>reason</th></tr>
{''.join(student_rows)}</table>
</body></html>
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gradebook", type=Path, help="a grade-all gradebook (gradebook.db)")
    parser.add_argument("--out", type=Path, help="write the HTML page here (e.g. class.html)")
    parser.add_argument("--feedback", type=Path, metavar="DIR",
                        help="grade-all's --out folder: link each student to their feedback")
    parser.add_argument("--assignment", action="append", metavar="aN",
                        help="only this assignment (repeatable)")
    parser.add_argument("--student", action="append", metavar="NAME",
                        help="only this student (repeatable)")


def run(args: argparse.Namespace) -> int:
    from autograder.cli import require_writable

    if args.out:
        require_writable("--out", args.out)
    report = build(args.gradebook, args.assignment, args.student, args.feedback)
    print(terminal_summary(report))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(report, args.out))
        print(f"\nClass report: {args.out}")
    return 0
