"""The framing between grader and worker: round trips and strict, bounded decoding."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder.sandboxed import protocol
from autograder.sandboxed.protocol import FnRef, ProtocolError, Unencodable


def roundtrip(value, **kw):
    return protocol.decode_frame(protocol.encode(value, **kw), **kw.get("decode", {}))


def frame(header: object, body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return protocol.PREFIX.pack(len(raw), len(body)) + raw + body


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**62, 1.5, float("inf"), "text é", [], {},
    [1, [2.0, [None, "x"]]], {"a": {"b": [1, 2]}, "c": None},
])
def test_plain_values_round_trip(value):
    assert roundtrip(value) == value


def test_nan_round_trips_as_nan():
    assert np.isnan(roundtrip(float("nan")))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4)])
def test_arrays_round_trip_with_dtype_and_shape(dtype, shape):
    arr = (np.arange(int(np.prod(shape))) % 3).astype(dtype).reshape(shape)
    got = roundtrip({"x": arr})["x"]
    assert got.dtype == np.dtype(dtype) and got.shape == shape
    np.testing.assert_array_equal(got, arr)
    assert got.flags.writeable


def test_non_contiguous_array_is_sent_in_c_order():
    arr = np.arange(12.0).reshape(3, 4).T
    np.testing.assert_array_equal(roundtrip(arr), arr)


def test_several_arrays_keep_their_order():
    a, b = np.arange(3.0), np.arange(4, dtype=np.int32)
    got = roundtrip({"a": a, "list": [b, {"c": a * 2}]})
    np.testing.assert_array_equal(got["a"], a)
    np.testing.assert_array_equal(got["list"][0], b)
    np.testing.assert_array_equal(got["list"][1]["c"], a * 2)


def test_numpy_scalars_become_python_numbers_and_tuples_lists():
    got = roundtrip((np.float64(1.5), np.int64(3), np.bool_(True), np.float32(0.5)))
    assert got == [1.5, 3, True, 0.5]
    assert [type(v) for v in got] == [float, int, bool, float]


def test_dollar_keys_of_user_data_are_escaped_not_taken_as_markers():
    value = {"$nd": 1, "$$x": [2], "$fn": "f"}
    assert roundtrip(value) == value


def test_function_marker_is_resolved_only_by_the_worker_side():
    data = protocol.encode({"f": FnRef("quadratic", "grad", {"A": np.eye(2)})})
    seen = []
    got = protocol.decode_frame(data, resolve_fn=lambda ref: seen.append(ref) or "callable")
    assert got == {"f": "callable"}
    assert seen[0].name == "quadratic" and seen[0].part == "grad"
    np.testing.assert_array_equal(seen[0].params["A"], np.eye(2))
    with pytest.raises(ProtocolError, match="function marker"):
        protocol.decode_frame(data)


class Foo:
    def __eq__(self, other):
        return True  # lies: equal to everything

    def __repr__(self):
        return "Foo(" + "z" * 500 + ")"


class BadRepr:
    def __repr__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize("value, type_name", [
    (Foo(), "Foo"),
    ((i for i in range(3)), "generator"),
    (np.array([1, "a"], dtype=object), "ndarray"),
    (np.zeros(2, dtype=np.complex128), "ndarray"),
    (np.zeros(2, dtype=">f8"), "ndarray"),
    ({1: 2}, "dict"),
    (BadRepr(), "BadRepr"),
    (len, "builtin_function_or_method"),
])
def test_worker_encodes_unencodable_values_as_markers(value, type_name):
    got = roundtrip({"value": value}, lenient=True)["value"]
    assert isinstance(got, Unencodable)
    assert got.type_name == type_name
    assert len(got.repr) <= protocol.REPR_CHARS


def test_strict_encoding_refuses_what_it_cannot_send():
    with pytest.raises(ProtocolError, match="Foo"):
        protocol.encode([Foo()])


def test_too_deep_value_is_unencodable_in_the_worker_and_refused_strictly():
    deep: list = []
    for _ in range(protocol.MAX_DEPTH + 5):
        deep = [deep]
    assert "Unencodable" in repr(roundtrip(deep, lenient=True))
    with pytest.raises(ProtocolError, match="nesting"):
        protocol.encode(deep)


def test_unencodable_round_trips_from_the_trusted_side_too():
    u = Unencodable("Foo", "Foo()")
    assert roundtrip([u]) == [u]


# ---- strict decoding of hostile frames
@pytest.mark.parametrize("dtype", ["object", "O", "float16", "complex128", "<U3", "uint8", 7])
def test_decode_rejects_dtypes_outside_the_allowed_list(dtype):
    with pytest.raises(ProtocolError, match="dtype"):
        protocol.decode_frame(frame({"$nd": [dtype, [1]]}, b"\0" * 8))


@pytest.mark.parametrize("body", [b"\0" * 7, b"\0" * 9, b""])
def test_decode_rejects_body_length_not_matching_dtype_times_shape(body):
    with pytest.raises(ProtocolError):
        protocol.decode_frame(frame({"$nd": ["float64", [1]]}, body))


@pytest.mark.parametrize("shape", [[-1], [1.5], "3", [2**40, 2**40], [1] * 9])
def test_decode_rejects_bad_shapes(shape):
    with pytest.raises(ProtocolError):
        protocol.decode_frame(frame({"$nd": ["float64", shape]}, b"\0" * 8))


def test_decode_rejects_bool_arrays_with_other_bytes():
    with pytest.raises(ProtocolError, match="bool"):
        protocol.decode_frame(frame({"$nd": ["bool", [2]]}, b"\x01\x02"))


def test_decode_rejects_over_deep_nesting():
    header = "[" * (protocol.MAX_DEPTH + 2) + "]" * (protocol.MAX_DEPTH + 2)
    raw = header.encode()
    with pytest.raises(ProtocolError, match="nesting"):
        protocol.decode_frame(protocol.PREFIX.pack(len(raw), 0) + raw)


def test_decode_survives_a_json_recursion_bomb():
    raw = b"[" * 200_000
    with pytest.raises(ProtocolError):
        protocol.decode_frame(protocol.PREFIX.pack(len(raw), 0) + raw)


def test_prefix_announcing_an_oversize_header_or_message_is_rejected_before_reading():
    with pytest.raises(ProtocolError, match="header"):
        protocol.decode_prefix(protocol.PREFIX.pack(protocol.MAX_HEADER_BYTES + 1, 0))
    with pytest.raises(ProtocolError, match="exceeds"):
        protocol.decode_prefix(protocol.PREFIX.pack(10, protocol.MAX_MESSAGE_BYTES))


@pytest.mark.parametrize("header", [
    {"$nd": ["float64", [1]], "extra": 1},   # marker with extra keys
    {"$evil": 1},                            # unknown marker
    {"$unencodable": 3, "repr": "x"},        # wrong field type
    {"$fn": "quadratic", "part": "f"},       # missing params
])
def test_decode_rejects_malformed_markers(header):
    with pytest.raises(ProtocolError):
        protocol.decode_frame(frame(header, b"\0" * 8), resolve_fn=lambda ref: ref)


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b'{"a": 1e999999999999}x'])
def test_decode_rejects_garbage_headers(raw):
    with pytest.raises(ProtocolError):
        protocol.decode_frame(protocol.PREFIX.pack(len(raw), 0) + raw)


def test_frame_whose_length_disagrees_with_its_prefix_is_rejected():
    data = protocol.encode([1, 2, 3])
    with pytest.raises(ProtocolError):
        protocol.decode_frame(data + b"x")
    with pytest.raises(ProtocolError):
        protocol.decode_frame(data[:-1])


class _HostileArray(np.ndarray):
    """An ndarray subclass whose own methods all raise: the encoder must not call them."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("__array__ called")

    def tobytes(self, *args, **kwargs):
        raise RuntimeError("tobytes called")


def test_an_ndarray_subclass_is_sent_as_its_data_without_calling_its_methods():
    hostile = np.arange(3.0).view(_HostileArray)
    decoded = protocol.decode_frame(protocol.encode(hostile, lenient=True))
    assert type(decoded) is np.ndarray
    assert decoded.tolist() == [0.0, 1.0, 2.0]


# ---- subclasses of plain data are read by value, without running any of their methods
class _Trap(Exception):
    """Raised by every overridden method below: the encoder must never call one."""


def _trap(*args, **kwargs):
    raise _Trap("a method of the student's class was called")


_HOSTILE = {name: _trap for name in (
    "__str__", "__repr__", "__format__", "__iter__", "__getitem__", "__len__", "__eq__",
    "__hash__", "__int__", "__float__", "__index__", "__bool__", "keys", "items", "values",
    "item", "tolist", "__reduce__", "__reduce_ex__",
)}


def _hostile(base):
    """A subclass of ``base`` whose every reading method raises _Trap."""
    return type(f"Hostile{base.__name__.title()}", (base,), dict(_HOSTILE))


def test_a_str_valued_enum_arrives_as_its_string():
    import enum

    class Reason(str, enum.Enum):
        GRADIENT = "gradient"
        VALUE = "value"

    got = roundtrip({"reason": Reason.GRADIENT, "all": list(Reason)}, lenient=True)
    assert got == {"reason": "gradient", "all": ["gradient", "value"]}
    assert type(got["reason"]) is str


def test_int_enum_namedtuple_ordereddict_and_numpy_scalars_arrive_as_plain_values():
    import collections
    import enum
    from typing import NamedTuple

    class Grads(NamedTuple):
        dx: np.ndarray
        dW: np.ndarray
        db: np.ndarray

    class Level(enum.IntEnum):
        HIGH = 3

    value = {
        "grads": Grads(np.zeros(2), np.ones((2, 2)), np.arange(2.0)),
        "params": collections.OrderedDict([("W1", np.eye(2)), ("b1", np.zeros(2))]),
        "counts": collections.Counter("aab"),
        "level": Level.HIGH,
        "scalars": [np.float64(1.5), np.int32(2), np.bool_(False), np.str_("minimum")],
    }
    got = roundtrip(value, lenient=True)
    assert type(got["grads"]) is list and [g.shape for g in got["grads"]] == [(2,), (2, 2), (2,)]
    assert type(got["params"]) is dict and list(got["params"]) == ["W1", "b1"]
    assert got["counts"] == {"a": 2, "b": 1}
    assert got["level"] == 3 and type(got["level"]) is int
    assert got["scalars"] == [1.5, 2, False, "minimum"]
    assert [type(v) for v in got["scalars"]] == [float, int, bool, str]


@pytest.mark.parametrize("base, data, expected", [
    (str, "saddle", "saddle"),
    (int, 7, 7),
    (float, 2.5, 2.5),
    (tuple, (1.0, "a"), [1.0, "a"]),
    (list, [1, 2], [1, 2]),
    (dict, {"W": 1.0}, {"W": 1.0}),
    (np.float64, 0.25, 0.25),
])
def test_a_subclass_is_read_by_value_without_calling_its_overridden_methods(base, data, expected):
    value = _hostile(base)(data)
    got = roundtrip({"v": value}, lenient=True)["v"]  # would raise _Trap if a method ran
    assert got == expected and type(got) is type(expected)
    assert roundtrip(value) == expected  # the strict (trusted-side) encoder reads it alike


def test_a_dict_subclass_with_non_str_keys_or_clashing_keys_is_unencodable():
    import collections

    assert isinstance(roundtrip(collections.OrderedDict({1: 2}), lenient=True), Unencodable)

    class Distinct(str):  # two keys with the same text that are different dict keys
        __hash__ = object.__hash__

        def __eq__(self, other):
            return self is other

    clash = {Distinct("W"): 1, Distinct("W"): 2}
    assert len(clash) == 2
    assert isinstance(roundtrip({"x": clash}, lenient=True)["x"], Unencodable)
    assert roundtrip({Distinct("W"): 1}, lenient=True) == {"W": 1}


def test_a_plain_enum_and_a_lying_class_attribute_are_not_plain_data():
    import enum

    class Colour(enum.Enum):
        RED = "red"

    class Liar:
        __class__ = property(lambda self: str)  # isinstance(Liar(), str) is True

    for value in (Colour.RED, Liar()):
        assert isinstance(roundtrip([value], lenient=True)[0], Unencodable)
