"""No probe ever aims a packet off the machine (issue 18: the network).

The worker records, with an audit hook, the address of every connect/sendto/sendmsg its
start-up probes make and reports them in its hello. Here the probes run in every
configuration the other in-process tests use (detected, and "rlimits" forced by
$BACKPROP_LAB_ISOLATION, each with every set of the worker's own layers by
$BACKPROP_LAB_LAYERS) and every recorded address must lie in 127.0.0.0/8. (The "uid" base
needs an interpreter a slot uid may run: tests/test_container_emulation.py runs it.)
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from autograder.isolation import probes, sandbox
from autograder.isolation.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
CONFIGS = [(base, layers) for base in (None, "rlimits")
           for layers in (None, "landlock", "seccomp", "")]
"""(forced base or detected, $BACKPROP_LAB_LAYERS or the default)."""
IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")


@pytest.mark.parametrize(("base", "layers"), CONFIGS)
def test_every_probe_address_is_loopback(tmp_path, monkeypatch, base, layers):
    if base:
        monkeypatch.setenv(sandbox.FORCE_ENV, base)
    if layers is not None:
        monkeypatch.setenv(sandbox.LAYERS_ENV, layers)
    sandbox.detect.cache_clear()
    (tmp_path / "empty.py").write_text("")
    try:
        with Worker(tmp_path, guard=False) as worker:
            worker.import_module("empty")
            measured = probes.measured()
    finally:
        sandbox.detect.cache_clear()
    addresses = measured["addresses"]
    outside = [a for a in addresses if ipaddress.ip_address(a[0]) not in LOOPBACK]
    assert outside == [], (measured["isolation"], addresses)
    if "seccomp" not in measured["mode"]:  # the local probe's connect was made and recorded
        assert any(ipaddress.ip_address(a[0]) in LOOPBACK for a in addresses), measured
    network = measured["probes"]["reach the network"]
    if "seccomp" in measured["mode"] or measured["mode"].startswith("bwrap"):
        assert network.startswith("blocked"), measured


def test_no_address_off_the_machine_in_the_kit_or_its_tests():
    """Literal IPv4 addresses in code, tests and docs: loopback (or 0.0.0.0) only."""
    found = []
    for path in [*ROOT.glob("autograder/**/*.py"), *ROOT.glob("tests/**/*.py"),
                 *ROOT.glob("docs/*.md"), ROOT / "README.md"]:
        for match in IPV4.finditer(path.read_text(errors="replace")):
            try:
                address = ipaddress.ip_address(match.group(1))
            except ValueError:
                continue  # a version number such as 300.1.2.3
            if address not in LOOPBACK and not address.is_unspecified:
                found.append(f"{path.relative_to(ROOT)}: {address}")
    assert found == []
