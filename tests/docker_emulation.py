"""Run a command as if inside a default Docker container: ``python docker_emulation.py
[--no-landlock] -- CMD ...``.

Docker's default seccomp profile refuses new namespaces to a container without
CAP_SYS_ADMIN (clone/unshare with namespace flags: EPERM; clone3: ENOSYS, so that libc falls
back to clone), mount and setns; its default capability set is the fourteen below. With both,
bubblewrap fails exactly as in Docker ("Creating new namespace failed: Operation not
permitted"). ``--no-landlock`` also answers the three Landlock syscalls with ENOSYS, as
engines before moby/moby#43199 (2022) do. The filter is installed here (as root, with
CAP_SYS_ADMIN, no no_new_privs: Docker does not set it either), then ``setpriv`` drops the
bounding set and execs CMD, which starts with exactly Docker's capabilities.
"""

from __future__ import annotations

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


def main(argv: list[str]) -> None:
    landlock = "--no-landlock" not in argv[: argv.index("--")]
    command = argv[argv.index("--") + 1:]
    seccomp.install(docker_rules(landlock), no_new_privs=False)
    os.execvp("setpriv", ["setpriv", f"--bounding-set={BOUNDING_SET}", "--", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
