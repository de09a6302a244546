"""A seccomp-BPF syscall filter in raw BPF (ctypes, x86-64 only): no libseccomp needed.

Stdlib only: the worker installs ``worker_filter`` on itself before any student code runs
(after PR_SET_NO_NEW_PRIVS, which makes it unprivileged); the tests build the container
emulation's filter from the same pieces (``Rule``, ``install``). A filter only ever adds
restrictions and is inherited by every child; it cannot be removed.
"""

from __future__ import annotations

import ctypes
import errno
import platform
from dataclasses import dataclass

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_KILL_PROCESS, RET_ALLOW, RET_ERRNO = 0x80000000, 0x7FFF0000, 0x00050000
# BPF opcodes: load word at absolute offset, jumps on a constant, return a constant.
LD_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
OFFSET_NR, OFFSET_ARCH = 0, 4


def offset_arg(i: int) -> int:
    """Offset of the low 32 bits of syscall argument i in struct seccomp_data."""
    return 16 + 8 * i


SYSCALLS = {
    "socket": 41, "clone": 56, "kill": 62, "ptrace": 101, "rt_sigqueueinfo": 129,
    "pivot_root": 155, "chroot": 161, "acct": 163, "mount": 165, "umount2": 166,
    "swapon": 167, "swapoff": 168, "reboot": 169, "iopl": 172, "ioperm": 173,
    "init_module": 175, "delete_module": 176, "quotactl": 179, "tkill": 200, "tgkill": 234,
    "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272,
    "rt_tgsigqueueinfo": 297, "perf_event_open": 298, "name_to_handle_at": 303,
    "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310,
    "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "bpf": 321,
    "userfaultfd": 323, "pidfd_send_signal": 424, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429,
    "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
    "pidfd_getfd": 438, "mount_setattr": 442, "landlock_create_ruleset": 444,
    "landlock_add_rule": 445, "landlock_restrict_self": 446,
}  # fmt: skip

AF_UNIX = 1
# clone() namespace flags: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
# (NEWTIME, 0x80, is part of the exit-signal byte in clone(): only clone3 takes it).
CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 \
    | 0x20000000 | 0x40000000

WORKER_DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "name_to_handle_at", "open_by_handle_at",  # file handles bypass path-based checks
    "io_uring_setup", "io_uring_enter", "io_uring_register",  # io_uring bypasses seccomp
    "init_module", "finit_module", "delete_module", "kexec_load", "reboot", "swapon",
    "swapoff", "acct", "quotactl", "iopl", "ioperm", "tkill", "pidfd_send_signal",
)
"""Refused with EPERM in the worker: debugging other processes, namespaces and mounts,
kernel keyrings, eBPF, perf, io_uring, modules, and signals that name no process of ours."""


@dataclass(frozen=True)
class Rule:
    """One syscall's verdict: errno (0 = allow), or, when `arg` is set, a test on the low
    32 bits of that argument: `equals` (value) or `mask` (any bit set) -> `errno_if`,
    otherwise `errno_else` (0 = allow)."""

    name: str
    errno: int = 0
    arg: int | None = None
    equals: int | None = None
    mask: int | None = None
    errno_if: int = 0
    errno_else: int = 0


def _ret(code: int) -> tuple[int, int, int, int]:
    return (RET, 0, 0, RET_ERRNO | code if code else RET_ALLOW)


def program(rules: list[Rule]) -> list[tuple[int, int, int, int]]:
    """The BPF program: arch check (else kill), x32 refused, then one block per rule."""
    prog = [(LD_ABS, 0, 0, OFFSET_ARCH), (JEQ, 1, 0, AUDIT_ARCH_X86_64), (RET, 0, 0,
            RET_KILL_PROCESS), (LD_ABS, 0, 0, OFFSET_NR), (JGE, 0, 1, X32_SYSCALL_BIT),
            _ret(errno.EPERM)]
    for rule in rules:
        nr = SYSCALLS[rule.name]
        if rule.arg is None:
            prog += [(JEQ, 0, 1, nr), _ret(rule.errno)]
            continue
        test = (JEQ, 0, 1, rule.equals) if rule.equals is not None else (JSET, 0, 1, rule.mask)
        prog += [(JEQ, 0, 4, nr), (LD_ABS, 0, 0, offset_arg(rule.arg)), test,
                 _ret(rule.errno_if), _ret(rule.errno_else)]  # A still holds nr when skipped
    prog.append((RET, 0, 0, RET_ALLOW))
    return prog


def worker_rules(self_pid: int) -> list[Rule]:
    """The worker's filter: no sockets but AF_UNIX, no new namespaces (clone3 says ENOSYS so
    that libc falls back to clone, which is checked), signals only to itself."""
    eperm = errno.EPERM
    rules = [Rule(name, eperm) for name in WORKER_DENIED]
    rules += [
        Rule("socket", arg=0, equals=AF_UNIX, errno_if=0, errno_else=eperm),
        Rule("clone", arg=0, mask=CLONE_NAMESPACES, errno_if=eperm, errno_else=0),
        Rule("clone3", errno.ENOSYS),
    ]
    for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        rules.append(Rule(name, arg=0, equals=self_pid, errno_if=0, errno_else=eperm))
    return rules


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def available() -> str | None:
    """None when this module can build a filter here, else why not."""
    if platform.machine() != "x86_64":
        return f"seccomp filter written for x86-64, not {platform.machine()}"
    return None


def install(rules: list[Rule], no_new_privs: bool = True) -> int:
    """Install the filter on the calling thread (and its future children); its length.

    no_new_privs=False needs CAP_SYS_ADMIN (the container emulation keeps it unset, as
    Docker does)."""
    why = available()
    if why:
        raise OSError(errno.ENOSYS, why)
    prog = program(rules)
    array = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), array)
    libc = ctypes.CDLL(None, use_errno=True)
    if no_new_privs and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(code)}")
    return len(prog)
