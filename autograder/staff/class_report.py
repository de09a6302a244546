"""The class report's data: what a gradebook says about a whole class (staff only).

Counts per task (mean, share with full marks, every student's points), per check (pass
rate and the failure messages grouped after normalising numbers and array literals), per
diagnosed misconception (the ``diagnosis:`` line the staff catalogue adds to a message:
only a diagnosis that passed its evidence rule is ever written, so every one counts), the
students with errors and why, and grading time per assignment. Rendering lives in
``class_report_html``; the terminal summary is ``terminal_summary``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grade import GradingError
from autograder.report import WIDTH, points
from autograder.staff.gradebook import read_latest
from autograder.staff.misconceptions import DIAGNOSIS

FULL_MARKS_EPS = 1e-9
"""A task's points count as full within float rounding of the stored 4-decimal scores."""

MESSAGE_LINES = 3
"""Lines of a failure message that make its group: the headline and the first details
(expected / got, where). The code to paste (indented 4 or more: the call, a traceback)
is left out: its inputs vary from check run to check run and would split groups."""

_ARRAY = re.compile(r"\[(?:[^\[\]]|\[…\])*\]")
_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SPACES = re.compile(r"[ \t]+")


def normalise(message: str) -> str:
    """A failure message with its inputs taken out, so the same mistake groups together:
    array literals become ``[…]`` (innermost first, so nested arrays collapse), numbers
    become ``N``; the diagnosis line is dropped (it is counted on its own), and so are the
    code to paste and the line introducing it."""
    lines = [
        ln for ln in message.strip().splitlines()
        if ln.strip() and not ln.startswith((DIAGNOSIS, "    ", "  reproduce"))
    ]
    text = "\n".join(ln.rstrip() for ln in lines[:MESSAGE_LINES])
    previous = None
    while previous != text:
        previous, text = text, _ARRAY.sub("[…]", text)
    text = _NUMBER.sub("N", text)
    return _SPACES.sub(" ", text).strip()


def diagnosis(message: str) -> str:
    """The diagnosis sentence of a message ("" when the kit diagnosed nothing)."""
    for line in message.splitlines():
        if line.startswith(DIAGNOSIS):
            return line[len(DIAGNOSIS):].strip()
    return ""


def catalogue_ids() -> dict[str, str]:
    """Diagnosis sentence -> the catalogue id of the misconception that writes it."""
    from autograder.staff.misconceptions import a1, a2, a3, a4

    return {m.message()[len(DIAGNOSIS):].strip(): m.id
            for module in (a1, a2, a3, a4) for m in module.CATALOGUE}


@dataclass
class FailureGroup:
    """Students whose failure of one check reads the same once normalised."""

    pattern: str
    students: list[str] = field(default_factory=list)
    example: str = ""
    example_student: str = ""


@dataclass
class CheckStats:
    """One check across the class: who ran it, who passed, how the others failed."""

    assignment: str
    task: str
    name: str
    hidden: bool
    ran: int = 0
    passed: int = 0
    groups: dict[str, FailureGroup] = field(default_factory=dict)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.ran if self.ran else 0.0

    def common_failures(self) -> list[FailureGroup]:
        """Groups by how many students share them (most first), ties by pattern."""
        return sorted(self.groups.values(), key=lambda g: (-len(g.students), g.pattern))


@dataclass
class TaskStats:
    """One task across the class: every student's points."""

    assignment: str
    task: str
    title: str
    max_points: float
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return sum(self.scores.values()) / len(self.scores) if self.scores else 0.0

    @property
    def full(self) -> int:
        return sum(s >= self.max_points - FULL_MARKS_EPS for s in self.scores.values())

    @property
    def share_full(self) -> float:
        return self.full / len(self.scores) if self.scores else 0.0


@dataclass
class StudentLine:
    """One student's row in the report."""

    student: str
    score: float
    max_score: float
    status: str
    reason: str
    seconds: float
    feedback: Path | None = None


@dataclass
class ClassReport:
    """Everything the page and the terminal summary show. Task and check counts cover the
    graded students only: an error row (not graded) has no score to count."""

    gradebook: Path
    assignments: list[str]
    students: list[StudentLine]
    tasks: list[TaskStats]
    checks: list[CheckStats]
    misconceptions: dict[str, list[str]]
    """Diagnosis sentence -> the students whose messages carry it (each student once)."""
    seconds: dict[str, list[float]]
    """Assignment -> each graded student's time in its checks (s)."""

    @property
    def graded(self) -> list[StudentLine]:
        return [s for s in self.students if s.status == "graded"]

    @property
    def errors(self) -> list[StudentLine]:
        return [s for s in self.students if s.status == "error"]

    def top_misconceptions(self, n: int = 3) -> list[tuple[str, int]]:
        counts = Counter({k: len(v) for k, v in self.misconceptions.items()})
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def checks_of(self, task: TaskStats) -> list[CheckStats]:
        return [c for c in self.checks if (c.assignment, c.task) == (task.assignment, task.task)]


def _task_key(task: TaskStats) -> tuple:
    return task.assignment, [int(x) for x in task.task.split(".") if x.isdigit()]


def build(
    gradebook: Path,
    assignments: list[str] | None = None,
    students: list[str] | None = None,
    feedback_dir: Path | None = None,
) -> ClassReport:
    """Read ``gradebook`` (each student's latest result per assignment, as the CSV) and count.

    ``feedback_dir``: grade-all's ``--out``; a student whose ``feedback.html`` is there is
    linked to it."""
    merged = read_latest(gradebook, assignments, students)
    if not merged:
        raise GradingError(f"{gradebook} holds no grades for that scope.")
    tasks: dict[tuple[str, str], TaskStats] = {}
    checks: dict[tuple[str, str, str], CheckStats] = {}
    misconceptions: dict[str, list[str]] = defaultdict(list)
    seconds: dict[str, list[float]] = defaultdict(list)
    lines = []
    for student in sorted(merged):
        row, results = merged[student]
        page = Path(feedback_dir) / student / "feedback.html" if feedback_dir else None
        lines.append(StudentLine(
            student,
            round(sum(a.score for a in results.values()), 4),
            sum(a.max_score for a in results.values()),
            row.status,
            row.reason.strip().splitlines()[0] if row.reason.strip() else "",
            row.seconds,
            page if page and page.is_file() else None,
        ))
        if row.status != "graded":  # not graded: no score to count, listed with its reason
            continue
        for aid in sorted(results):
            a = results[aid]
            seconds[aid].append(sum(c.seconds for t in a.tasks for c in t.checks))
            for t in a.tasks:
                stats = tasks.setdefault(
                    (aid, t.task), TaskStats(aid, t.task, t.title, t.max_points))
                stats.scores[student] = t.score
                for c in t.checks:
                    cs = checks.setdefault(
                        (aid, t.task, c.name), CheckStats(aid, t.task, c.name, c.hidden))
                    cs.ran += 1
                    cs.passed += c.passed
                    if c.passed:
                        continue
                    pattern = normalise(c.message)
                    group = cs.groups.setdefault(pattern, FailureGroup(pattern))
                    if student not in group.students:
                        group.students.append(student)
                    if not group.example:
                        group.example, group.example_student = c.message.strip(), student
                    said = diagnosis(c.message)
                    if said and student not in misconceptions[said]:
                        misconceptions[said].append(student)
    scope = sorted({aid for _, results in merged.values() for aid in results})
    return ClassReport(
        Path(gradebook),
        scope,
        lines,
        sorted(tasks.values(), key=_task_key),
        list(checks.values()),
        dict(misconceptions),
        dict(seconds),
    )


def _cut(text: str, width: int) -> str:
    indent = text[: len(text) - len(text.lstrip())]
    text = indent + " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def terminal_summary(report: ClassReport, width: int = WIDTH) -> str:
    """One line per task (mean, share with full marks, its most common failure), then the
    most common misconceptions and the errors; every line within ``width`` columns."""
    graded = report.graded
    total = report.students[0].max_score if report.students else 0.0
    mean = sum(s.score for s in graded) / len(graded) if graded else 0.0
    lines = [
        _cut(f"Class report: {len(report.students)} students, {len(graded)} graded,"
             f" {len(report.errors)} not (errors); {','.join(report.assignments)}", width),
        _cut(f"Mean total of the graded {points(mean)} / {points(total)}; {report.gradebook}",
             width),
        "",
        f"{'task':<7}{'mean':>6}{'max':>6}{'full':>6}  most common failure (students)",
    ]
    for t in report.tasks:
        failures = [(len(g.students), g.pattern) for c in report.checks_of(t)
                    for g in c.groups.values()]
        top = min(failures, key=lambda f: (-f[0], f[1])) if failures else None
        text = f"({top[0]}) {top[1].splitlines()[0]}" if top else "-"
        head = (f"{t.assignment}:{t.task:<4}{t.mean:>6.2f}{t.max_points:>6.2f}"
                f"{t.share_full:>6.0%}  ")
        lines.append(head + _cut(text, width - len(head)))
    top3 = report.top_misconceptions()
    if top3:
        lines += ["", "Most common misconceptions (students):"]
        lines += [_cut(f"  {n:>3}  {said}", width) for said, n in top3]
    if report.errors:
        lines += ["", "Not graded (errors):"]
        lines += [_cut(f"  {s.student}: {s.reason}", width) for s in report.errors]
    times = ", ".join(f"{aid} {sum(v) / len(v):.1f} s" for aid, v in sorted(report.seconds.items()))
    if times:
        lines += ["", _cut(f"Mean grading time in checks per student: {times}", width)]
    return "\n".join(lines)
