"""Render a SubmissionResult: the console table, Gradescope's results.json, Markdown feedback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from autograder.grade import SubmissionResult, TaskResult

WIDTH = 80
"""Columns of the console output: the table and the prose of every message fit a terminal
of 80 (pasteable code lines are never wrapped: they would stop being pasteable)."""


def points(value: float) -> str:
    """Points as a person reads them: two decimals (14.01, not 14.0119); files keep exact."""
    return f"{value:.2f}"


_points = points


def _one_line(text: str, width: int) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def wrap(text: str, width: int = WIDTH) -> str:
    """Wrap a message's prose lines to ``width``, leaving code and tracebacks as they are.

    Code: the lines under a "reproduce" header (indented 6) and a student's traceback
    (indented 4 under the first line) are kept whole, so they stay pasteable."""
    out, in_code = [], False
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped.startswith("reproduce"):
            in_code = True
        elif indent < 6:
            in_code = False
        if in_code or indent >= 4 and not stripped.startswith("diagnosis") or len(line) <= width:
            out.append(line)
            continue
        out.append(textwrap.fill(stripped, width, initial_indent=" " * indent,
                                 subsequent_indent=" " * (indent + 4),
                                 break_on_hyphens=False, break_long_words=False))
    return "\n".join(out)


def console_table(result: SubmissionResult, details: bool = True) -> str:
    """A table per assignment: task, points, passed checks, title, and under a task that lost
    points its first failure's first line; then every failure in full. 80 columns."""
    lines = [f"Submission: {result.submission}"]
    for a in result.assignments:
        lines.append("")
        lines.append(_one_line(
            f"{a.id}  {a.title}  ({points(a.score)} / {points(a.max_score)} points)", WIDTH))
        if a.note:
            lines.append(_one_line(f"  {a.note.splitlines()[0]}", WIDTH))
        lines += [_one_line(f"  not copied: {n}", WIDTH) for n in a.notices if not a.note]
        lines.append(f"  {'task':<5} {'points':>11} {'checks':>7}  what")
        for t in a.tasks:
            checks = f"{t.passed}/{len(t.checks)}" if t.checks else "-"
            score = f"{points(t.score)}/{points(t.max_points)}"
            lines.append(_one_line(f"  {t.task:<5} {score:>11} {checks:>7}  {t.title}", WIDTH))
            failure = t.first_failure() if not a.note else ""
            if failure:
                lines.append(_one_line(f"{'':28}-> {failure}", WIDTH))
    lines.append("")
    lines.append(
        f"Total: {points(result.score)} / {points(result.max_score)} points"
        f"  ({result.seconds:.1f} s; isolation: {result.isolation})"
    )
    if details:
        failures = failure_sections(result)
        if failures:
            lines += ["", "What to fix:"] + [wrap(text) for text in failures]
    return "\n".join(lines)


def task_feedback(task: TaskResult) -> str:
    """Every failed check of a task with its full message (input, expected, got, where)."""
    if task.note:
        return task.note
    parts = []
    for check in task.checks:
        if not check.passed:
            kind = "hidden check" if check.hidden else "check"
            parts.append(f"[{kind}] {check.name}\n" + _indent(check.message, "  "))
    return "\n".join(parts)


def failure_sections(result: SubmissionResult) -> list[str]:
    lines = []
    for a in result.assignments:
        if a.note:
            lines.append(f"- {a.id}: " + _indent(a.note, "  ").lstrip())
            continue
        for t in a.tasks:
            text = task_feedback(t)
            if text:
                lines.append(f"- Task {t.task} ({t.title}):")
                lines.append(_indent(text, "    "))
    return lines


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def gradescope_results(result: SubmissionResult) -> dict:
    """Gradescope's results.json: one test per task, its output every failure's message."""
    tests = []
    for a in result.assignments:
        for t in a.tasks:
            status = "passed" if t.checks and t.passed == len(t.checks) else "failed"
            summary = f"{t.passed} of {len(t.checks)} checks passed." if t.checks else ""
            feedback = task_feedback(t)
            tests.append(
                {
                    "name": f"{t.task} {t.title}",
                    "number": t.task,
                    "score": t.score,
                    "max_score": t.max_points,
                    "status": status,
                    "output": (summary + ("\n\n" + feedback if feedback else "")).strip(),
                    "visibility": "visible",
                    "tags": [a.id],
                }
            )
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": result.seconds,
        "output": "\n".join(
            [f"Graded by Backprop Lab ({result.isolation})."]
            + [f"{a.id}: {n}" for a in result.assignments if not a.note for n in a.notices]
        ),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_results_json(result: SubmissionResult, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope_results(result), indent=2) + "\n")


def markdown_feedback(result: SubmissionResult) -> str:
    """A Markdown report a student reads: the score table and every failure in full."""
    lines = [
        f"# Feedback: {result.submission}",
        "",
        f"**Total: {_points(result.score)} / {_points(result.max_score)} points**",
        "",
    ]
    for a in result.assignments:
        lines += [f"## {a.id}: {a.title} ({_points(a.score)} / {_points(a.max_score)})", ""]
        if a.note:
            lines += ["```text", a.note, "```", ""]
        elif a.notices:
            lines += ["Files not graded:", "", *[f"- {n}" for n in a.notices], ""]
        lines += ["| task | function | points | checks passed |", "|---|---|---|---|"]
        for t in a.tasks:
            lines.append(
                f"| {t.task} | `{t.title}` | {_points(t.score)} / {_points(t.max_points)}"
                f" | {t.passed} / {len(t.checks)} |"
            )
        lines.append("")
        for t in a.tasks:
            text = task_feedback(t) if not a.note else ""
            if text:
                lines += [f"### Task {t.task}: `{t.title}`", "", "```text", text, "```", ""]
    return "\n".join(lines)


def training_plots(result: SubmissionResult) -> list[tuple[str, str]]:
    """(file name, SVG text) of every training curve the checks recorded."""
    from autograder.plots import line_plot_svg

    plots = []
    for a in result.assignments:
        curve = a.artifacts.get("training_curve") if a.artifacts else None
        if curve:
            plots.append((f"{a.id}_training_curve.svg",
                          line_plot_svg(curve["curves"], curve["title"])))
    return plots


def write_feedback(result: SubmissionResult, path: Path) -> list[Path]:
    """Write the feedback report: HTML (plots inline) for *.html, else Markdown + SVG files."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plots = training_plots(result)
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(html_feedback(result, plots))
        return [path]
    written = [path]
    text = markdown_feedback(result)
    if plots:
        text += "\n## Training curves\n\n"
        for name, svg in plots:
            (path.parent / name).write_text(svg)
            written.append(path.parent / name)
            text += f"![your training curve beside the reference's]({name})\n\n"
    path.write_text(text)
    return written


def html_feedback(result: SubmissionResult, plots: list[tuple[str, str]] | None = None) -> str:
    """A self-contained HTML report: the score table, every failure in full, the plots."""
    from html import escape

    rows = []
    for a in result.assignments:
        for t in a.tasks:
            status = "ok" if t.checks and t.passed == len(t.checks) else "lost"
            rows.append(f"<tr class='{status}'><td>{a.id}</td><td>{t.task}</td>"
                        f"<td><code>{escape(t.title)}</code></td>"
                        f"<td>{_points(t.score)} / {_points(t.max_points)}</td>"
                        f"<td>{t.passed} / {len(t.checks)}</td></tr>")
    failures = "\n".join(
        f"<h3>Task {t.task}: {escape(t.title)}</h3><pre>{escape(task_feedback(t))}</pre>"
        for a in result.assignments for t in a.tasks if task_feedback(t))
    notes = "\n".join(f"<pre>{escape(a.note)}</pre>" for a in result.assignments if a.note)
    figures = "\n".join(svg for _, svg in (plots if plots is not None else training_plots(result)))
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Feedback: {escape(result.submission)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
td,th{{padding:2px 8px}} tr.lost td{{background:#fde8e8}} tr.ok td{{background:#e8f6e8}}
pre{{background:#f6f6f6;padding:8px;white-space:pre-wrap}}</style></head><body>
<h1>Feedback: {escape(result.submission)}</h1>
<p><b>Total: {_points(result.score)} / {_points(result.max_score)} points</b></p>
<table><tr><th>assignment</th><th>task</th><th>function</th><th>points</th><th>checks</th></tr>
{"".join(rows)}</table>
{notes}
<h2>What to fix</h2>
{failures or "<p>Nothing: every check passed.</p>"}
{"<h2>Training curves</h2>" + figures if figures else ""}
</body></html>
"""
