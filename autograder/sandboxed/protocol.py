"""Framing between the grader and the worker: JSON header + raw array buffers, never pickle.

A frame is an 8-byte prefix (two little-endian uint32: header length, body length), a UTF-8
JSON header, then the body: the bytes of every array in the header, in the order the arrays
appear in it (depth first), each C-ordered. In the header an array is
``{"$nd": [dtype, shape]}``. Other markers: ``{"$fn": name, "part": "f"|"grad"|"hess",
"params": {...}}`` (a test function from fixtures.py, resolved inside the worker) and
``{"$unencodable": type name, "repr": text}`` (something student code returned that is not
plain data). User dict keys starting with "$" are escaped by doubling the "$".
Subclasses of plain data (a str-valued Enum, a NamedTuple, an OrderedDict, numpy scalars)
are sent as their plain value, read through the base type without calling their methods.

This file is shared by both sides; it imports only the standard library and numpy.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# 256 MiB: far above any array the course sends (MNIST-sized batches are a few MiB),
# small enough that a hostile reply cannot exhaust the grader's memory.
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
# 16 MiB of JSON is ~1M numbers sent as a list; real headers are < 10 KiB (arrays go raw).
MAX_HEADER_BYTES = 16 * 1024 * 1024
# Course data nests 3-4 levels (dict of params of arrays); 32 leaves room and stops a
# recursion bomb long before Python's own recursion limit.
MAX_DEPTH = 32
# numpy supports 64 dimensions; the course uses at most 4.
MAX_NDIM = 8
# First characters of repr() kept for an unencodable value: enough to name it in feedback.
REPR_CHARS = 200

PREFIX = struct.Struct("<II")
ALLOWED_DTYPES = {
    name: np.dtype(name) for name in ("float64", "float32", "int64", "int32", "bool")
}
_DTYPE_NAMES = {dtype: name for name, dtype in ALLOWED_DTYPES.items()}  # dtype.name is slow
_FN_PARTS = ("f", "grad", "hess")


class ProtocolError(ValueError):
    """A frame that breaks the protocol: malformed, too big, or a forbidden type."""


@dataclass(frozen=True)
class FnRef:
    """A test function of fixtures.py, by name: the worker builds the callable itself."""

    name: str
    part: str = "f"
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unencodable:
    """Stands for a value the student's code returned that is not plain data."""

    type_name: str
    repr: str


def _escape(key: str) -> str:
    return "$" + key if key.startswith("$") else key


def _unescape(key: str) -> str:
    if key.startswith("$"):
        if not key.startswith("$$"):
            raise ProtocolError(f"unknown marker key {key[:40]!r}")
        return key[1:]
    return key


def describe_unencodable(value: Any) -> Unencodable:
    """Name and a short repr of a value (runs only inside the worker: repr is student code)."""
    try:
        text = repr(value)[:REPR_CHARS]
    except BaseException as exc:  # noqa: BLE001 - a hostile __repr__ may raise anything
        text = f"<repr failed: {type(exc).__name__}>"
    return Unencodable(type(value).__qualname__[:REPR_CHARS], text)


def _encode_array(arr: np.ndarray, buffers: list[bytes]) -> Any:
    dtype_name = _DTYPE_NAMES.get(arr.dtype)  # None for other dtypes and byte orders
    if dtype_name is None or arr.ndim > MAX_NDIM:
        return None
    buffers.append(np.ndarray.tobytes(arr, order="C"))
    return {"$nd": [dtype_name, list(arr.shape)]}


def _to_plain(value: Any, buffers: list[bytes], depth: int, lenient: bool) -> Any:
    """Plain JSON-ready data for value, read without calling any method of its class.

    Exact plain types are taken as they are. A subclass of plain data (a str-valued Enum,
    an IntEnum, a NamedTuple, an OrderedDict, a numpy scalar, an ndarray subclass) is read
    BY VALUE through its base type's own slots (``str.__str__(x)``, ``tuple.__iter__(x)``,
    ``dict.items(x)``, ...): the type test is ``issubclass(type(x), base)`` on the real
    type (``isinstance`` would consult a student's ``__class__``), and a base-type slot
    called on the instance runs the base's C code, never an override of the subclass.
    """
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value
    if depth >= MAX_DEPTH:
        if lenient:
            return _plain_unencodable(Unencodable(kind.__qualname__, "<nested too deeply>"))
        raise ProtocolError(f"nesting deeper than {MAX_DEPTH}")
    if kind in (list, tuple):
        return [_to_plain(v, buffers, depth + 1, lenient) for v in value]
    if kind is dict:
        if all(type(k) is str for k in value):
            return {_escape(k): _to_plain(v, buffers, depth + 1, lenient) for k, v in value.items()}
        plain = _dict_to_plain(list(dict.items(value)), buffers, depth, lenient)  # str-like keys
        if plain is not _NOT_PLAIN:
            return plain
    elif kind is FnRef:
        return {"$fn": value.name, "part": value.part,
                "params": _to_plain(value.params, buffers, depth + 1, lenient)}
    elif kind is Unencodable:
        return _plain_unencodable(value)
    else:
        plain = _subclass_to_plain(value, kind, buffers, depth, lenient)
        if plain is not _NOT_PLAIN:
            return plain
    if lenient:
        return _plain_unencodable(describe_unencodable(value))
    raise ProtocolError(f"cannot encode a {kind.__qualname__}")


_NOT_PLAIN = object()
_NP_NUMBERS = (np.bool_, np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
               np.int8, np.uint64, np.uint32, np.uint16, np.uint8)


def _subclass_to_plain(value: Any, kind: type, buffers: list[bytes], depth: int,
                       lenient: bool) -> Any:
    """A subclass of plain data as its plain value, or _NOT_PLAIN (see _to_plain)."""
    if issubclass(kind, np.ndarray):
        try:  # read through the base class: none of the subclass's methods runs
            return _encode_array(np.ndarray.view(value, np.ndarray), buffers) or _NOT_PLAIN
        except Exception:  # noqa: BLE001 - a hostile subclass; reported as unencodable
            return _NOT_PLAIN
    for base in _NP_NUMBERS:  # numpy scalars (np.float64 is also a float: numpy first)
        if issubclass(kind, base):
            return base.item(value)  # numpy's own item(), whatever a subclass defines
    if issubclass(kind, int):  # IntEnum, IntFlag, other int subclasses (bool is final)
        return int.__int__(value)
    if issubclass(kind, float):
        return float.__float__(value)
    if issubclass(kind, str):  # a str-valued Enum, StrEnum, np.str_
        return str.__str__(value)
    if issubclass(kind, tuple):  # NamedTuple, structseq
        items = tuple.__iter__(value)
    elif issubclass(kind, list):
        items = list.__iter__(value)
    elif issubclass(kind, dict):  # OrderedDict, defaultdict, Counter
        return _dict_to_plain(list(dict.items(value)), buffers, depth, lenient)
    else:
        return _NOT_PLAIN
    return [_to_plain(v, buffers, depth + 1, lenient) for v in items]


def _dict_to_plain(items: list, buffers: list[bytes], depth: int, lenient: bool) -> Any:
    """A dict subclass's (key, value) pairs as a plain dict; keys must be str (by value)."""
    plain: dict = {}
    for key, item in items:
        if not issubclass(type(key), str):
            return _NOT_PLAIN
        text = str.__str__(key)
        if _escape(text) in plain:  # two str-subclass keys with the same text
            return _NOT_PLAIN
        plain[_escape(text)] = _to_plain(item, buffers, depth + 1, lenient)
    return plain


def _plain_unencodable(u: Unencodable) -> dict:
    return {"$unencodable": str(u.type_name)[:REPR_CHARS], "repr": str(u.repr)[:REPR_CHARS]}


def encode(value: Any, *, lenient: bool = False) -> bytes:
    """One frame for value. lenient (worker side): non-plain parts become Unencodable."""
    buffers: list[bytes] = []
    plain = _to_plain(value, buffers, 0, lenient)
    try:
        header = json.dumps(plain, separators=(",", ":"), allow_nan=True).encode()
    except ValueError as exc:  # e.g. an int with more digits than int->str allows
        if not lenient:
            raise ProtocolError(str(exc)) from None
        header = json.dumps(_plain_unencodable(Unencodable("int", "<too many digits>"))).encode()
    body_len = sum(len(b) for b in buffers)
    if len(header) > MAX_HEADER_BYTES or len(header) + body_len > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            f"message of {len(header) + body_len} bytes exceeds {MAX_MESSAGE_BYTES} bytes"
        )
    return b"".join([PREFIX.pack(len(header), body_len), header, *buffers])


def decode_prefix(prefix: bytes) -> tuple[int, int]:
    """Header and body lengths from the 8-byte prefix, checked against the limits."""
    if len(prefix) != PREFIX.size:
        raise ProtocolError("truncated frame prefix")
    header_len, body_len = PREFIX.unpack(prefix)
    if header_len > MAX_HEADER_BYTES:
        raise ProtocolError(f"header of {header_len} bytes exceeds {MAX_HEADER_BYTES}")
    if header_len + body_len > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {header_len + body_len} bytes exceeds limit")
    return header_len, body_len


class _Decoder:
    def __init__(self, body: bytes, resolve_fn: Callable[[FnRef], Any] | None):
        self.body = memoryview(body)
        self.cursor = 0
        self.resolve_fn = resolve_fn

    def array(self, spec: Any) -> np.ndarray:
        if not (isinstance(spec, list) and len(spec) == 2):
            raise ProtocolError("array marker must be [dtype, shape]")
        dtype_name, shape = spec
        if dtype_name not in ALLOWED_DTYPES:
            raise ProtocolError(f"dtype {str(dtype_name)[:40]!r} not allowed")
        if not (isinstance(shape, list) and len(shape) <= MAX_NDIM
                and all(type(n) is int and 0 <= n <= MAX_MESSAGE_BYTES for n in shape)):
            raise ProtocolError("bad array shape")
        dtype = ALLOWED_DTYPES[dtype_name]
        nbytes = math.prod(shape) * dtype.itemsize
        end = self.cursor + nbytes
        if end > len(self.body):
            raise ProtocolError("array bytes run past the end of the body")
        arr = np.frombuffer(self.body[self.cursor:end], dtype=dtype).reshape(shape).copy()
        self.cursor = end
        if dtype_name == "bool" and arr.size and arr.view(np.uint8).max() > 1:
            raise ProtocolError("bool array holds bytes other than 0 and 1")
        return arr

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError(f"nesting deeper than {MAX_DEPTH}")
        if isinstance(node, list):
            return [self.value(v, depth + 1) for v in node]
        if not isinstance(node, dict):
            return node  # JSON scalars: None, bool, int, float, str
        if "$nd" in node:
            self.exact_keys(node, {"$nd"})
            return self.array(node["$nd"])
        if "$unencodable" in node:
            self.exact_keys(node, {"$unencodable", "repr"})
            type_name, text = node["$unencodable"], node["repr"]
            if not (isinstance(type_name, str) and isinstance(text, str)):
                raise ProtocolError("bad unencodable marker")
            return Unencodable(type_name[:REPR_CHARS], text[:REPR_CHARS])
        if "$fn" in node:
            self.exact_keys(node, {"$fn", "part", "params"})
            if self.resolve_fn is None:
                raise ProtocolError("function marker not allowed in this direction")
            ref = FnRef(node["$fn"], node["part"], self.value(node["params"], depth + 1))
            if not (isinstance(ref.name, str) and ref.part in _FN_PARTS
                    and isinstance(ref.params, dict)):
                raise ProtocolError("bad function marker")
            return self.resolve_fn(ref)
        return {_unescape(k): self.value(v, depth + 1) for k, v in node.items()}

    @staticmethod
    def exact_keys(node: dict, keys: set[str]) -> None:
        if set(node) != keys:
            raise ProtocolError(f"marker with keys {sorted(node)[:5]}, expected {sorted(keys)}")


def decode(
    header: bytes, body: bytes, resolve_fn: Callable[[FnRef], Any] | None = None
) -> Any:
    """The value of one frame (after its prefix); strict: any deviation is a ProtocolError."""
    if len(header) > MAX_HEADER_BYTES or len(header) + len(body) > MAX_MESSAGE_BYTES:
        raise ProtocolError("message exceeds the size limit")
    try:
        tree = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"bad JSON header: {type(exc).__name__}") from None
    decoder = _Decoder(body, resolve_fn)
    try:
        value = decoder.value(tree, 0)
    except (TypeError, ValueError, KeyError, RecursionError) as exc:
        if isinstance(exc, ProtocolError):
            raise
        raise ProtocolError(f"malformed header: {type(exc).__name__}") from None
    if decoder.cursor != len(body):
        raise ProtocolError(f"{len(body) - decoder.cursor} unclaimed body bytes")
    return value


def decode_frame(frame: bytes, resolve_fn: Callable[[FnRef], Any] | None = None) -> Any:
    """Decode a whole frame held in memory (prefix included)."""
    header_len, body_len = decode_prefix(frame[: PREFIX.size])
    if len(frame) != PREFIX.size + header_len + body_len:
        raise ProtocolError("frame length does not match its prefix")
    header = frame[PREFIX.size : PREFIX.size + header_len]
    return decode(header, frame[PREFIX.size + header_len :], resolve_fn)
