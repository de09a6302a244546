"""A diagnosis only when it is evidence (issue 15 item 7), and its precision measured.

Fast: the separating inputs tell every two of {reference, variants} apart and the reference
accepts each; agreement is strict (tolerance of the checks, invalid values never match); a
bug that agrees with a variant on its failing input but not on the separating inputs gets
no diagnosis. Slow: over the buggy corpus and the unseen set (tests/corpus/unseen, one-bug
copies written without looking at the catalogue), no diagnosis names a wrong misconception.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CORPUS, REFERENCE

from autograder.feedback.log import CallRecord
from autograder.staff.corpus import entries
from autograder.staff.misconceptions import _catalogue, a1, a2, a3, a4, diagnose, evidence
from autograder.staff.misconceptions.evidence import unseparated
from autograder.staff.misconceptions.separating import POOLS, separating
from autograder.staff.precision import count, diagnosis_ids

MODULES = ("perceptron", "gradient_descent", "engine", "mlp")
FAMILIES = sorted({(mod, m.function) for mod in MODULES for m in _catalogue(mod)})
CATALOGUE = {m.id for c in (a1, a2, a3, a4) for m in c.CATALOGUE}
BUGGY, UNSEEN = entries(CORPUS / "buggy"), entries(CORPUS / "unseen")


def test_every_function_with_variants_has_separating_inputs_and_no_pool_is_stale():
    assert set(FAMILIES) == set(POOLS)


@pytest.mark.parametrize("module, function", FAMILIES, ids=[f for _, f in FAMILIES])
def test_separating_inputs_tell_every_pair_apart_and_the_reference_accepts_them(
        module, function):
    reference = evidence.implementations(module, function)[0]
    for probe in separating(module, function):
        assert evidence.run(reference, probe)[0] == "ok", probe
    assert unseparated(module, function) == []


def test_agreement_is_strict():
    a = np.array([1.0, 2.0])
    assert evidence.agree(("ok", a * (1 + 1e-9)), ("ok", a))
    assert not evidence.agree(("ok", a * (1 + 1e-4)), ("ok", a))  # beyond the checks' RTOL
    assert not evidence.agree(("ok", a.tolist()), ("ok", a))  # a list is not the array
    assert not evidence.agree(("ok", a[:1]), ("ok", a))  # shape
    assert not evidence.agree(("ok", a.astype(int)), ("ok", a))  # dtype kind
    assert not evidence.agree(("ok", np.array([np.nan, 2.0])), ("ok", a))  # NaN never matches
    assert evidence.agree(("ok", np.array([np.nan, 2.0])), ("ok", np.array([np.nan, 2.0])))
    assert not evidence.agree(("ok", np.array([np.inf, 2.0])), ("ok", np.array([-np.inf, 2.0])))
    assert not evidence.agree(("ok", True), ("ok", 1))
    assert not evidence.agree(("ok", 1.0), ("ok", 1))  # an int result must come back an int
    assert not evidence.agree(("ok", {"w": a}), ("ok", {"w": a, "b": a}))
    assert evidence.agree(("raised", "OverflowError"), ("raised", "OverflowError"))
    assert not evidence.agree(("raised", "ValueError"), ("raised", "OverflowError"))
    assert not evidence.agree(("fault", "timeout"), ("fault", "timeout"))


def _forgets_label(w, x, y):
    """A student's update w + x (the label forgotten): equals 'subtracts y x' when y = -1."""
    return w + x if y * (w @ x) <= 0 else w.copy()


def _ask(student):
    def ask(probe):
        try:
            return "ok", student(*probe.args, **probe.kwargs)
        except Exception as error:  # noqa: BLE001
            return "raised", type(error).__name__

    return ask


def test_one_agreeing_input_is_not_evidence():
    w, x, y = np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 1.0]), -1.0
    record = CallRecord("perceptron_update", (w, x, y), result=_forgets_label(w, x, y),
                        returned=True)
    flipped = next(m for m in a1.CATALOGUE if m.id == "update_sign_flipped")
    assert evidence.agree(("ok", record.result), evidence.run(flipped.variant, record))
    assert diagnose([record], "perceptron", ask=_ask(_forgets_label)) is None
    honest = next(m for m in a1.CATALOGUE if m.id == "update_sign_flipped").variant
    found = diagnose([CallRecord("perceptron_update", (w, x, y), result=honest(w, x, y),
                                 returned=True)], "perceptron", ask=_ask(honest))
    assert found is not None and found.id == "update_sign_flipped"


def test_a_passing_recorded_call_where_the_variant_differs_rules_it_out():
    w, x = np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 1.0])
    wrong = CallRecord("perceptron_update", (w, x, -1.0), result=w + x, returned=True)
    right = CallRecord("perceptron_update", (-w, x, 1.0), result=-w + x, returned=True)
    flipped = next(m for m in a1.CATALOGUE if m.id == "update_sign_flipped").variant
    assert diagnose([right, wrong], "perceptron", ask=_ask(flipped)) is None


def test_every_corpus_entry_declares_catalogued_diagnoses_and_the_unseen_set_is_broad():
    for entry in BUGGY + UNSEEN:
        assert set(entry.diagnoses) <= CATALOGUE, entry.name
    assert len(UNSEEN) >= 15
    assert {e.folder for e in UNSEEN} == {"a1_perceptron", "a2_gradient_descent",
                                         "a3_backprop", "a4_mlp"}
    assert sum(1 for e in UNSEEN if not e.diagnoses) >= 15  # most are outside the catalogue


def test_buggy_headers_agree_with_the_feedback_corpus_expectations():
    from test_feedback_corpus import DIAGNOSED

    for entry in BUGGY:
        assert entry.diagnoses == ((DIAGNOSED[entry.name],) if entry.name in DIAGNOSED
                                   else ()), entry.name


def test_a_diagnosis_line_maps_back_to_exactly_one_id():
    lines = [m.message().strip() for c in (a1, a2, a3, a4) for m in c.CATALOGUE]
    assert len(lines) == len(set(lines))
    m = a4.CATALOGUE[0]
    assert diagnosis_ids("x is wrong.\n" + m.message()) == [m.id]


@pytest.mark.slow
@pytest.mark.parametrize("entry", BUGGY + UNSEEN, ids=[e.path.parent.name + "/" + e.name
                                                       for e in BUGGY + UNSEEN])
def test_no_diagnosis_is_wrong(entry, tmp_path):
    tally = count(entry, REFERENCE, tmp_path)
    assert tally.wrong == [], tally
