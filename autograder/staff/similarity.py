"""``autograder similarity SUBMISSIONS --out similarity.html``: pairwise code similarity.

Each student's modules (the kit's module files, e.g. ``a1_perceptron/perceptron.py``) are
fingerprinted with copydetect (winnowing, as MOSS; tokens normalised by Pygments, so
renamed variables still match) and compared module by module with every other student's.
The reference solution and the stubs generated from it are boilerplate: their fingerprints
are removed first, so starter code (and a copy of the reference) never counts.

Deterministic and offline: copydetect's fingerprinting and comparison functions are called
directly, on files in sorted order (its CopyDetector collects files through a set, and
prints progress); nothing opens a network connection. Optional extra:
``pip install 'backprop-lab[similarity]'``.
"""

from __future__ import annotations

import argparse
import io
import itertools
from dataclasses import dataclass
from html import escape
from pathlib import Path

from autograder.grade import GradingError

NOISE_T = 25
"""copydetect's noise threshold (k-gram length in normalised characters): its default;
shorter matches (a shared ``np.zeros_like(x)``) are noise."""

GUARANTEE_T = 25
"""Matches at least this long are always found (window = guarantee - noise + 1): the default."""

DISPLAY_T = 0.33
"""Default threshold: a pair is flagged when either side's share of its own (non-starter)
code found in the other exceeds this (copydetect's display threshold)."""

MIN_TOKENS = 100
"""A pair is flagged only when at least this many normalised characters match: a one-line
fix of the same function shares a large share of a tiny patch and means nothing."""

CONTEXT_LINES = 4
"""Lines kept around each highlighted match in the side-by-side code (the rest is "...")."""

TOP_PAIRS = 10
"""Pairs shown with their code side by side, at most (the table lists every pair above 0)."""


@dataclass
class Pair:
    """Two students' versions of one module and how much of each is found in the other."""

    a: str
    b: str
    module: str
    share_a: float
    share_b: float
    overlap: int
    code_a: str = ""
    code_b: str = ""

    @property
    def score(self) -> float:
        return max(self.share_a, self.share_b)

    def flagged(self, threshold: float) -> bool:
        return self.score > threshold and self.overlap >= MIN_TOKENS


def _copydetect():
    try:
        from copydetect import detector, utils
    except ImportError:
        raise GradingError(
            "similarity needs copydetect: pip install 'backprop-lab[similarity]'."
        ) from None
    return detector, utils


def _modules() -> list[str]:
    from autograder.staff.layout import known_layout

    _, modules = known_layout()
    return sorted(f"{folder}/{name}" for name, folder in modules.items())


def boilerplate_hashes(reference_root: Path, extra: list[Path] = ()) -> object:
    """Fingerprints of the reference modules, of their stubs and of any ``extra`` files."""
    import numpy as np

    from autograder.staff.stubs import expected_outputs

    detector, _ = _copydetect()
    texts = []
    for rel in _modules():
        path = reference_root / rel
        if path.is_file():
            texts.append((str(path), path.read_text(encoding="utf-8")))
    for rel, data in sorted(expected_outputs(reference_root).items()):
        if rel.suffix == ".py":
            texts.append((str(rel), data.decode("utf-8")))
    for path in sorted(extra):
        texts.append((str(path), Path(path).read_text(encoding="utf-8", errors="replace")))
    hashes = []
    for name, text in texts:
        fp = detector.CodeFingerprint(name, k=NOISE_T, win_size=1, fp=io.StringIO(text))
        hashes.extend(fp.hashes)
    return np.unique(np.array(hashes))


def compare(
    directory: Path, reference_root: Path, boilerplate: list[Path] = (), highlight: float = 1.0
) -> list[Pair]:
    """Every pair of students, per module both hand in, most similar first; matching code
    highlighted (HTML) for pairs scoring at least ``highlight``."""
    import tempfile

    from autograder.staff.layout import discover

    detector, utils = _copydetect()
    known = boilerplate_hashes(reference_root, list(boilerplate))
    window = GUARANTEE_T - NOISE_T + 1
    with tempfile.TemporaryDirectory(prefix="backprop-lab-similarity-") as staging:
        _, submissions = discover(Path(directory), Path(staging))
        prints: dict[str, dict[str, object]] = {}
        for sub in submissions:
            for rel in _modules():
                path = sub.path / rel
                if path.is_file() and not path.is_symlink():
                    text = path.read_text(encoding="utf-8", errors="replace")
                    prints.setdefault(sub.student, {})[rel] = detector.CodeFingerprint(
                        str(path), NOISE_T, window, known, fp=io.StringIO(text))
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        for rel in sorted(set(prints[a]) & set(prints[b])):
            fa, fb = prints[a][rel], prints[b][rel]
            overlap, (sa, sb), (slices_a, slices_b) = detector.compare_files(fa, fb)
            pair = Pair(a, b, rel, float(sa), float(sb), int(overlap))
            if pair.score >= highlight and overlap:
                pair.code_a, _ = utils.highlight_overlap(
                    fa.raw_code, slices_a, "<mark>", "</mark>", truncate=CONTEXT_LINES,
                    escape_html=True)
                pair.code_b, _ = utils.highlight_overlap(
                    fb.raw_code, slices_b, "<mark>", "</mark>", truncate=CONTEXT_LINES,
                    escape_html=True)
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.a, p.b, p.module))
    return pairs


def render(pairs: list[Pair], threshold: float) -> str:
    """The page: every pair above 0 in a table, the flagged ones side by side."""
    e = escape
    flagged = [p for p in pairs if p.flagged(threshold)][:TOP_PAIRS]
    rows = "".join(
        f"<tr class='{'lost' if p.flagged(threshold) else ''}'><td>{e(p.a)}</td><td>{e(p.b)}</td>"
        f"<td><code>{e(p.module)}</code></td><td>{p.share_a:.0%}</td><td>{p.share_b:.0%}</td>"
        f"<td>{p.overlap}</td></tr>"
        for p in pairs if p.score > 0)
    sides = "".join(
        f"<h3>{e(p.a)} and {e(p.b)}: <code>{e(p.module)}</code> ({p.share_a:.0%} /"
        f" {p.share_b:.0%})</h3><div class=sides><div><b>{e(p.a)}</b><pre>{p.code_a}</pre></div>"
        f"<div><b>{e(p.b)}</b><pre>{p.code_b}</pre></div></div>"
        for p in flagged)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Code similarity</title><style>
body{{font-family:sans-serif;margin:2em;color:#222}} td,th{{padding:2px 8px;text-align:left}}
table{{border-collapse:collapse}} tr.lost td{{background:#fde8e8}}
.sides{{display:flex;gap:1em}} .sides>div{{flex:1;min-width:0}}
pre{{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}}
mark{{background:#ffd27f}}</style></head><body>
<h1>Code similarity</h1>
<p>Share of each student's own code (the reference and the stubs removed as boilerplate)
found in the other's, per module; copydetect (winnowing: noise {NOISE_T}, guarantee
{GUARANTEE_T}). Flagged above {threshold:.0%} (and {MIN_TOKENS}+ matching characters):
{len([p for p in pairs if p.flagged(threshold)])}
pair(s). Similarity is a reason to look, never proof of copying.</p>
<table><tr><th>student</th><th>student</th><th>module</th><th>of first</th><th>of second</th>
<th>tokens</th></tr>{rows or "<tr><td colspan=6>No shared code beyond the starter code.</td></tr>"}
</table>
<h2>Flagged pairs, matching code highlighted</h2>{sides or "<p>None.</p>"}
</body></html>
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, help="per-student folders, or an nbgrader course")
    parser.add_argument("--out", type=Path, help="write the HTML page here")
    parser.add_argument("--threshold", type=float, default=DISPLAY_T,
                        help=f"flag pairs above this share (default {DISPLAY_T})")
    parser.add_argument("--reference", type=Path, metavar="DIR",
                        help="the reference solution (boilerplate with its stubs)")
    parser.add_argument("--boilerplate", type=Path, action="append", default=[], metavar="FILE",
                        help="more starter code to ignore (repeatable)")


def run(args: argparse.Namespace) -> int:
    from autograder.cli import require_writable
    from autograder.staff import reference

    if not 0 <= args.threshold <= 1:
        raise GradingError("--threshold is a share between 0 and 1.")
    if args.out:
        require_writable("--out", args.out)
    try:
        root = reference.locate(args.reference)
    except reference.ReferenceMissing as error:
        raise GradingError(str(error)) from None
    pairs = compare(args.directory, root, args.boilerplate, highlight=args.threshold)
    flagged = [p for p in pairs if p.flagged(args.threshold)]
    print(f"{len(flagged)} pair(s) above {args.threshold:.0%} of {len(pairs)} compared:")
    for p in flagged[:TOP_PAIRS]:
        print(f"  {p.score:4.0%}  {p.a} / {p.b}  {p.module}"[:80])
    if args.out:
        args.out.write_text(render(pairs, args.threshold))
        print(f"Similarity page: {args.out}")
    return 0
