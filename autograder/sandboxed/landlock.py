"""Landlock over raw syscalls (ctypes, x86-64): a filesystem allow-list the kernel enforces.

Stdlib only: it runs in the worker, before any student code, and in the trusted side to
ask which ABI the kernel offers. Landlock needs no privilege and no namespace (Linux 5.13+,
allowed by Docker's default seccomp profile since 2022); older kernels and older container
engines answer ENOSYS, which ``abi()`` reports as a reason instead of a number.

What is handled depends on the ABI: filesystem rights (1: the basic thirteen, 2: REFER,
3: TRUNCATE, 5: IOCTL_DEV), TCP bind/connect (4) and the signal / abstract-socket scopes (6):
every right the kernel knows is handled, so everything not granted below is refused.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import stat

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # x86-64 (and arm64 too)
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
"""The only rights a rule on a non-directory may carry (the kernel says EINVAL otherwise)."""
READ = READ_FILE | READ_DIR
WRITE = (WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | TRUNCATE | READ
         | MAKE_SYM)
"""A scratch directory: create, read, write, delete files and directories; no devices,
no sockets or fifos, no executing what was written."""

# System library directories: ld.so resolves numpy's and the stdlib's extension modules
# there (dlopen after the restriction); /etc/ld.so.cache is its index. /dev/urandom for
# os.urandom fallbacks; the worker reads its own output file through /proc/self/fd.
SYSTEM_READ = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/dev/urandom",
               "/proc/self")  # its own /proc entry (the link resolves to /proc/<pid>)


class _PathBeneath(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is __attribute__((packed)): 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi() -> int | str:
    """The kernel's Landlock ABI version, or why there is none (e.g. 'ENOSYS')."""
    if platform.machine() not in ("x86_64", "aarch64"):
        return f"unsupported machine {platform.machine()}"
    version = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(CREATE_RULESET_VERSION))
    if version < 0:
        return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return int(version)


def handled_fs(version: int) -> int:
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def _error(what: str) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"landlock {what}: {os.strerror(code)}")


def restrict(read: list[str], write: list[str], files_rw: list[str] = ()) -> int:
    """Allow only read on `read`, read-write on `write` (directories or files), read-write
    on `files_rw` (devices like /dev/null); refuse every other path, TCP, and signals or
    abstract sockets outside the worker. Sets no_new_privs (Landlock requires it without
    CAP_SYS_ADMIN). Paths that do not exist are skipped. Returns the ABI used; OSError when
    the kernel refuses."""
    version = abi()
    if not isinstance(version, int):
        raise OSError(errno.ENOSYS, f"landlock unavailable: {version}")
    attr = _RulesetAttr(handled_fs(version), 0, 0)
    size = 8
    if version >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if version >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    fd = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                       ctypes.c_uint32(0))
    if fd < 0:
        raise _error("create_ruleset")
    try:
        handled = attr.handled_access_fs
        for paths, rights in ((read, READ), (write, WRITE), (files_rw, READ_FILE | WRITE_FILE)):
            for path in paths:
                _add(fd, path, rights & handled)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise _error("no_new_privs")
        if _libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            raise _error("restrict_self")
    finally:
        os.close(fd)
    return version


def _add(ruleset: int, path: str, rights: int) -> None:
    try:
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)  # follows links: the rule is on the target
    except FileNotFoundError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(target).st_mode):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, target)
        if _libc.syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                         ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise _error(f"add_rule {path}")
    finally:
        os.close(target)
