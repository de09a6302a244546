"""Run a command as if inside a default Docker container: ``python docker_emulation.py
[--no-landlock] [--hide DIR]... [--keep DIR]... -- CMD ...``.

Docker's default seccomp profile refuses new namespaces to a container without
CAP_SYS_ADMIN (clone/unshare with namespace flags: EPERM; clone3: ENOSYS, so that libc falls
back to clone), mount and setns; its default capability set is the fourteen below. With both,
bubblewrap fails exactly as in Docker ("Creating new namespace failed: Operation not
permitted"). ``--no-landlock`` also answers the three Landlock syscalls with ENOSYS, as
engines before moby/moby#43199 (2022) do. The filter is installed here (as root, with
CAP_SYS_ADMIN, no no_new_privs: Docker does not set it either), then ``setpriv`` drops the
bounding set and execs CMD, which starts with exactly Docker's capabilities. ``--hide DIR``
mounts an empty tmpfs over DIR in a private mount namespace first, and ``--keep DIR`` binds
DIR (under a hidden one) back: a container's filesystem is its image, not the host's, so
checkouts of the kit elsewhere on the host (world-readable copies of the reference, other
users' files in /tmp) must not be there either.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "autograder" / "sandboxed"))
import seccomp  # noqa: E402 - the kit's BPF builder, stdlib only

DOCKER_CAPS = ("chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid",
               "setpcap", "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write",
               "setfcap")
BOUNDING_SET = "-all," + ",".join("+" + cap for cap in DOCKER_CAPS)
LANDLOCK_SYSCALLS = ("landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self")


def docker_rules(landlock: bool) -> list[seccomp.Rule]:
    eperm = errno.EPERM
    rules = [
        seccomp.Rule("clone", arg=0, mask=seccomp.CLONE_NAMESPACES, errno_if=eperm),
        seccomp.Rule("clone3", errno.ENOSYS),
        seccomp.Rule("unshare", eperm), seccomp.Rule("setns", eperm),
        seccomp.Rule("mount", eperm), seccomp.Rule("umount2", eperm),
        seccomp.Rule("pivot_root", eperm),
    ]
    if not landlock:
        rules += [seccomp.Rule(name, errno.ENOSYS) for name in LANDLOCK_SYSCALLS]
    return rules


CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 0x1000, 0x4000, 1 << 18
TMPFS_OPTIONS = b"size=4g,mode=1777"  # a ceiling, not an allocation


def hide(directories: list[str], keep: list[str]) -> None:
    """Empty tmpfs over each directory, then `keep` bound back at its own path, in a mount
    namespace of this process only."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0 or libc.mount(None, b"/", None, MS_REC | MS_PRIVATE,
                                                     None) != 0:
        raise OSError(ctypes.get_errno(), "private mount namespace")
    # opened in the new namespace (a bind source must be in it), before they are covered
    kept = [(path, os.open(path, os.O_PATH)) for path in keep]
    for path in directories:
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, TMPFS_OPTIONS) != 0:
            raise OSError(ctypes.get_errno(), f"tmpfs over {path}")
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC,
                      None) != 0:
            raise OSError(ctypes.get_errno(), f"bind {path}")
        os.close(fd)


def _values(options: list[str], flag: str) -> list[str]:
    return [options[i + 1] for i, opt in enumerate(options) if opt == flag]


def main(argv: list[str]) -> None:
    options = argv[: argv.index("--")]
    landlock = "--no-landlock" not in options
    if "--hide" in options:
        hide(_values(options, "--hide"), _values(options, "--keep"))
    command = argv[argv.index("--") + 1:]
    seccomp.install(docker_rules(landlock), no_new_privs=False)
    os.execvp("setpriv", ["setpriv", f"--bounding-set={BOUNDING_SET}", "--", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
