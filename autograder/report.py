"""Render a SubmissionResult: the console table, Gradescope's results.json, Markdown feedback."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path, PurePath

from autograder.grade import CheckResult, SubmissionResult, TaskResult

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
    """Wrap a message's prose to ``width``; code and tracebacks are kept whole.

    A message's first line is at indent 0 and its details (expected/got, diagnosis) at 2;
    anything indented 4 or more is a student's traceback or code to paste, which must stay
    as it is to stay pasteable."""
    out = []
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if indent >= 4 or len(line) <= width:
            out.append(line)
            continue
        out.append(textwrap.fill(stripped, width, initial_indent=" " * indent,
                                 subsequent_indent=" " * (indent + 4),
                                 break_on_hyphens=False, break_long_words=False))
    return "\n".join(out)


def _row(text: str, width: int = WIDTH) -> str:
    """One table row, cut to ``width`` (leading spaces kept)."""
    return text if len(text) <= width else text[: width - 3] + "..."


def console_table(result: SubmissionResult, details: bool = True) -> str:
    """A table per assignment: task, points, passed checks, title, and under a task that lost
    points its first failure's first line; then every failure in full. 80 columns."""
    lines = [f"Submission: {result.submission}"]
    for a in result.assignments:
        lines.append("")
        lines.append(_row(f"{a.id}  {a.title}  ({points(a.score)} / {points(a.max_score)})"))
        if a.note:
            lines.append(_row(f"  {a.note.splitlines()[0]}"))
        lines += [_row(f"  not copied: {n}") for n in a.notices if not a.note]
        lines.append(f"  {'task':<5} {'points':>11} {'checks':>6}  what")
        for t in a.tasks:
            checks = f"{t.passed}/{len(t.checks)}" if t.checks else "-"
            score = f"{points(t.score)}/{points(t.max_points)}"
            lines.append(_row(f"  {t.task:<5} {score:>11} {checks:>6}  {t.title}"))
            failure = t.first_failure().strip().splitlines() if not a.note else []
            if failure:
                lines.append(_row(f"{'':9}-> {failure[0]}"))
    lines.append("")
    lines.append(
        f"Total: {points(result.score)} / {points(result.max_score)} points"
        f"  ({result.seconds:.1f} s; isolation: {result.isolation})"
    )
    if details:
        failures = failure_sections(result, width=WIDTH)
        if failures:
            lines += ["", "What to fix:"] + failures
    return "\n".join(lines)


def task_feedback(task: TaskResult, width: int | None = None) -> str:
    """Every failed check of a task with its full message (input, expected, got, where).

    ``width``: wrap each message's prose to fit that many columns once indented here."""
    if task.note:
        return task.note
    parts = []
    for check in task.checks:
        if not check.passed:
            kind = "hidden check" if check.hidden else "check"
            message = wrap(check.message, width - 2) if width else check.message
            header = f"[{kind}] {check.name}"
            if width:  # a long check name wraps under itself, like the prose below it
                header = textwrap.fill(header, width, subsequent_indent="    ",
                                       break_on_hyphens=False)
            parts.append(header + "\n" + _indent(message, "  "))
    return "\n".join(parts)


_NOT_IMPLEMENTED = re.compile(r"NotImplementedError: Task (\d+\.\d+)")


def not_implemented(check: CheckResult) -> str | None:
    """The task a failed check stopped at because a stub still raises its
    ``NotImplementedError("Task N.M: ...")`` (the message's first line says it raised
    NotImplementedError, the stub's text names the task), else None."""
    if check.passed or "raised NotImplementedError" not in check.message.strip()[:400].split(
            "\n", 1)[0]:
        return None
    match = _NOT_IMPLEMENTED.search(check.message)
    return match.group(1) if match else None


def not_implemented_line(task: str) -> str:
    """What a student reads for a check stopped by a stub: one line, not a reproduce block."""
    return f"not implemented yet (Task {task})"


def _short_task_feedback(task: TaskResult, width: int | None) -> list[str]:
    """A task's failures with each stub-stopped check as one line; all of them stopped by
    the same stub: the task's one line says so."""
    failed = [c for c in task.checks if not c.passed]
    stubs = {not_implemented(c) for c in failed}
    row = width or WIDTH
    if len(stubs) == 1 and None not in stubs:
        return [_row(f"- {not_implemented_line(stubs.pop())}: {task.title}", row)]
    lines = [_row(f"- Task {task.task} ({task.title}):", row)]
    for check in failed:
        kind = "hidden check" if check.hidden else "check"
        stub = not_implemented(check)
        if stub:
            lines.append(_row(f"    [{kind}] {not_implemented_line(stub)}: {check.name}", row))
        else:
            lines.append(_indent(task_feedback(TaskResult(
                task.assignment, task.task, task.title, task.max_points, [check]),
                width - 4 if width else None), "    "))
    return lines


def failure_sections(result: SubmissionResult, width: int | None = None,
                     short_stubs: bool = False) -> list[str]:
    """Every failure in full, per task. ``short_stubs``: a check stopped by a stub's
    NotImplementedError is one line (``autograder check``: untouched stubs would print
    a reproduce block with the check's arrays for each of them)."""
    lines = []
    for a in result.assignments:
        if a.note:
            lines.append(f"- {a.id}: " + _indent(a.note, "  ").lstrip())
            continue
        for t in a.tasks:
            if short_stubs and not t.note and t.passed < len(t.checks):
                lines += _short_task_feedback(t, width)
                continue
            text = task_feedback(t, width - 4 if width else None)
            if text:
                lines.append(_row(f"- Task {t.task} ({t.title}):"))
                lines.append(_indent(text, "    "))
    return lines


def failure_summaries(result: SubmissionResult, width: int = WIDTH) -> list[str]:
    """One line per failed check (``check --quiet``): the task, then the check's name and
    its message's first line, or 'not implemented yet (Task N.M)' and the name."""
    lines = []
    for a in result.assignments:
        if a.note:
            lines.append(_row(f"- {a.id}: {_one_line(a.note, width)}", width))
            continue
        for t in a.tasks:
            if t.note:
                lines.append(_row(f"- {t.task}: {_one_line(t.note, width)}", width))
            for check in t.checks:
                if check.passed:
                    continue
                stub = not_implemented(check)  # then the reason first: a long name is cut
                lines.append(_row(f"- {t.task} {not_implemented_line(stub)}: {check.name}"
                                  if stub else
                                  f"- {t.task} {check.name}: {_one_line(check.message, width)}",
                                  width))
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


def pictures(result: SubmissionResult) -> list[tuple[str, str, str, str]]:
    """(assignment id, file name, caption, SVG) of every picture the checks recorded data for.

    A1: the decision boundary and mistakes per epoch against the reference's; A2: the
    trajectory over the contours of f against the reference's; A3: the computation graph of
    the first failing graph check, the first wrong gradient in red; A4: the training curve
    and the relative error of each parameter's gradient."""
    from autograder import plots

    out = []
    for a in result.assignments:
        art = a.artifacts or {}
        boundary = art.get("a1_boundary")
        if boundary:
            out.append((a.id, f"{a.id}_boundary.svg",
                        "train_perceptron on 40 separable points: your decision boundary and"
                        " the reference's (filled: y = +1)",
                        plots.boundary_svg(boundary["points"], boundary["labels"],
                                           boundary["weights"], "decision boundary")))
            out.append((a.id, f"{a.id}_mistakes.svg", "mistakes per epoch on the same points",
                        plots.line_plot_svg({k: [float(m) for m in v]
                                             for k, v in boundary["mistakes"].items()},
                                            "mistakes per epoch", ylabel="mistakes")))
        run = art.get("a2_trajectory")
        if run:
            from autograder.sandboxed.fixtures import make_function

            f, _ = make_function(run["function"], run["params"])
            out.append((a.id, f"{a.id}_trajectory.svg",
                        f"gradient_descent on lecture 000's f = x1^2 + x1 x2 + 4 x2^2 from"
                        f" {run['x0']}, step_size {run['step_size']}: your trajectory and the"
                        " reference's over the contours of f",
                        plots.contour_svg(f, run["trajectories"], "trajectory over f")))
        graphs = art.get("graphs") or {}
        for title, graph in sorted(graphs.items(), key=lambda kv: -len(kv[1]["spec"]["nodes"]))[:1]:
            out.append((a.id, f"{a.id}_graph.svg",
                        f"{title}: the largest graph a failing check ran, each node's value"
                        " and gradient (yours, and expected where known)",
                        plots.graph_svg(graph, "computation graph")))
        curve = art.get("training_curve")
        if curve:
            out.append((a.id, f"{a.id}_training_curve.svg", curve["title"],
                        plots.line_plot_svg(curve["curves"], curve["title"])))
        errors = art.get("a4_gradient_errors")
        if errors:
            out.append((a.id, f"{a.id}_gradient_errors.svg",
                        f"mlp_loss_and_grads on {errors['network']}: relative error of each"
                        " parameter's gradient against the reference's",
                        plots.error_bars_svg(errors["errors"], "gradient error per parameter",
                                             errors["allowed"])))
    return out


def training_plots(result: SubmissionResult) -> list[tuple[str, str]]:
    """(file name, SVG text) of every picture (kept for callers of the first version)."""
    return [(name, svg) for _, name, _, svg in pictures(result)]


def write_feedback(result: SubmissionResult, path: Path) -> list[Path]:
    """Write the feedback report: HTML (pictures inline) for *.html, else Markdown + SVGs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = pictures(result)
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(html_feedback(result, figures))
        return [path]
    written = [path]
    text = markdown_feedback(result)
    if figures:
        text += "\n## Pictures\n\n"
        for _, name, caption, svg in figures:
            (path.parent / name).write_text(svg)
            written.append(path.parent / name)
            text += f"![{caption}]({name})\n\n{caption}\n\n"
    path.write_text(text)
    return written


STYLE = """body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}
td,th{padding:2px 8px;text-align:left} tr.lost td{background:#fde8e8}
tr.ok td{background:#e8f6e8} table{border-collapse:collapse;margin:0.5em 0}
pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;font-size:13px}
figure{display:inline-block;margin:0.5em 1em 0.5em 0;vertical-align:top;max-width:100%}
figure svg{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:12px;max-width:440px;color:#444}"""


def html_feedback(result: SubmissionResult, figures: list | None = None) -> str:
    """A self-contained HTML report: per assignment its table, its pictures, its failures."""
    from html import escape

    figures = pictures(result) if figures is None else figures
    sections = []
    for a in result.assignments:
        rows = []
        for t in a.tasks:
            status = "ok" if t.checks and t.passed == len(t.checks) else "lost"
            rows.append(f"<tr class='{status}'><td>{t.task}</td>"
                        f"<td><code>{escape(t.title)}</code></td>"
                        f"<td>{points(t.score)} / {points(t.max_points)}</td>"
                        f"<td>{t.passed} / {len(t.checks)}</td></tr>")
        figs = "\n".join(
            f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"
            for aid, _, caption, svg in figures if aid == a.id)
        failures = "\n".join(
            f"<h3>Task {t.task}: {escape(t.title)}</h3><pre>{escape(task_feedback(t))}</pre>"
            for t in a.tasks if task_feedback(t) and not a.note)
        note = f"<pre>{escape(a.note)}</pre>" if a.note else ""
        sections.append(
            f"<h2>{a.id}: {escape(a.title)} ({points(a.score)} / {points(a.max_score)})</h2>"
            f"{note}<table><tr><th>task</th><th>what</th><th>points</th><th>checks</th></tr>"
            f"{''.join(rows)}</table>\n{figs}\n"
            + (f"<h3>What to fix</h3>{failures}" if failures else
               "" if a.note else "<p>Nothing to fix: every check passed.</p>"))
    name = escape(PurePath(result.submission).name or result.submission)  # no grader's path
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Feedback: {name}</title>
<style>{STYLE}</style></head><body>
<h1>Feedback: {name}</h1>
<p><b>Total: {points(result.score)} / {points(result.max_score)} points</b></p>
{"".join(sections)}
</body></html>
"""
