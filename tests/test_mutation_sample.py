"""A seeded sample of the mutation benchmark (benchmarks/mutation.py), graded: every sampled
one-change mutant of the reference is killed (loses points) unless the equivalence list
justifies it. The full set (539 mutants) runs as the benchmark; this is CI's threshold.

The sample is fixed (seed, size, one job), so the same mutants are graded every run: a
check that stops killing one of them fails here with the mutant's diff.
"""

from __future__ import annotations

import sys

import pytest
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import mutation  # noqa: E402  (a benchmark script, importable from its folder)

SAMPLE = 12
"""Mutants graded: three per assignment (round robin), about 2 minutes on one core."""
SEED = 0

pytestmark = pytest.mark.slow


def test_the_sample_is_spread_over_every_assignment():
    chosen = mutation.select(sorted(mutation.FILES), SAMPLE, SEED)
    assert len(chosen) == SAMPLE
    assert {m.assignment for m in chosen} == set(mutation.FILES)
    assert len({m.id for m in chosen}) == SAMPLE


def test_every_sampled_mutant_is_killed_or_listed_as_equivalent(reference_scores):
    equivalent = mutation.load_equivalent()
    survivors, errors = [], []
    for mutant in mutation.select(sorted(mutation.FILES), SAMPLE, SEED):
        if mutant.id in equivalent:
            continue
        _, score, max_score, error = mutation.grade_mutant(mutant)
        if error:
            errors.append(f"{mutant.id}: {error}")
        elif score >= reference_scores[mutant.assignment] - 1e-9:
            survivors.append(f"{mutant.id} ({mutant.description}) kept {score}/{max_score}\n"
                             f"{mutant.diff}")
    assert not errors, "\n".join(errors)
    assert not survivors, "survived (kill it with a check, or list it as equivalent in" \
        " benchmarks/mutation_equivalent.txt with a one-line reason):\n" + "\n".join(survivors)


@pytest.fixture(scope="module")
def reference_scores() -> dict[str, float]:
    """What a mutant must fall below: the reference's score (its full marks), per assignment,
    from the checks' own point table (the reference earning them is tests/test_grading.py's)."""
    from autograder.checks import suite

    return {s.assignment.id: float(sum(t.points for t in s.assignment.tasks))
            for s in suite(include_hidden=True)}
