"""Resources per submission, counted by the operating system: Linux control groups (cgroups).

Each submission gets a group, and everything it starts stays in it (a child process is born in
its parent's group, and a sandboxed kernel cannot leave: the cgroup file system is not visible
inside bubblewrap). The groups of one grading run sit side by side under a run group, itself
under the grader's own group::

    <grader's group>/regcourse-run-<grader pid>-<token>/
        s<index>/            memory.max = memory + WORKER_MEMORY_MB, CPU quota, pids.max
            worker/          the grader's worker for the submission (v2 only: leaves hold processes)
            kernel/          memory.max = memory: the kernel, all it starts, files in its /tmp

- **memory**: the kernel group counts every process's anonymous memory *and* the tmpfs pages
  they write (a sandbox's private /tmp is memory, in no process's resident size); over the limit
  the kernel's OOM killer stops a process of that group, and the row says so. The submission's
  group adds ``WORKER_MEMORY_MB`` for the worker, which receives what the kernel sends.
- **CPU**: each submission's group may use at most ``cpus`` CPUs (CFS quota), however many
  processes or sessions it starts, and the groups share equally (equal weights).
- **processes**: at most ``MAX_TASKS`` tasks (processes and threads) per submission.

Both cgroup versions are handled: v2 (one unified hierarchy; controllers enabled for the run's
subtree; a v2 group with processes cannot hand controllers to children, so when the grader's own
group has processes, they — the grader, and in a delegated scope the shell that started it — are
moved into a leaf ``regcourse-run-grader-<pid>`` beside the runs first), and v1 (one
hierarchy per controller: memory, cpu, pids, and cpuacct and freezer when mounted). Where a
controller cannot be used (no write access in a container, a kernel without it), ``Support``
says why, once, and the grader falls back to polling (see ``_submission.py``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

WORKER_MEMORY_MB = 512  # the worker: nbclient, the judge (torch for chapter 07: ~250 MB), one bounded message
MAX_TASKS = 512
RUN_GROUP_PREFIX = "regcourse-run-"
_PERIOD_US = 100_000
_REQUIRED = ("memory", "cpu", "pids")
DISABLE_VARIABLE = "REGCOURSE_NO_CGROUPS"  # set to 1 to test the fallback on a machine with cgroups


class CgroupError(OSError):
    """A control group could not be made or set up."""


def _write(path: Path, text: str) -> None:
    with open(path, "w") as stream:
        stream.write(text)


def _read(path: Path) -> str:
    try:
        with open(path) as stream:
            return stream.read()
    except OSError:
        return ""


def _keyed(text: str) -> dict[str, int]:
    """``key value`` lines (memory.stat, memory.events, pids.events) as a dict of ints."""
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        try:
            values[key] = int(value)
        except ValueError:
            pass
    return values


# --- where the hierarchies are ---------------------------------------------------------------------


def _mounts(mountinfo: str) -> list[tuple[str, str, str, set[str]]]:
    """(file-system type, mount point, root inside the hierarchy, super options) of each cgroup mount."""
    found = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields:
            continue
        dash = fields.index("-")
        fstype = fields[dash + 1] if len(fields) > dash + 1 else ""
        if fstype in ("cgroup", "cgroup2"):
            options = set(fields[dash + 3].split(",")) if len(fields) > dash + 3 else set()
            found.append((fstype, fields[4].replace("\\040", " "), fields[3], options))
    return found


def _own_groups(proc_cgroup: str) -> dict[str, str]:
    """The grader's group in each hierarchy: controller name (or "" for v2) -> path."""
    groups = {}
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        for name in controllers.split(",") if controllers else [""]:
            groups[name] = path
    return groups


def _inside(mount: str, root: str, path: str) -> Path:
    """The folder of group ``path`` in a hierarchy mounted at ``mount`` whose root is ``root``."""
    if root != "/" and (path == root or path.startswith(root.rstrip("/") + "/")):
        path = path[len(root.rstrip("/")) :] or "/"
    return Path(mount) / path.lstrip("/")


@dataclass
class Support:
    """What this machine offers: ``version`` 1 or 2 with the groups' parent folders, or None and why."""

    version: int | None
    parents: dict[str, Path] = field(default_factory=dict)  # controller -> the grader's group folder
    reason: str = ""

    @property
    def summary(self) -> str:
        if self.version is None:
            return f"no cgroups ({self.reason})"
        return f"cgroups v{self.version} ({', '.join(sorted(self.parents))})"


def detect(*, mountinfo: str | None = None, proc_cgroup: str | None = None) -> Support:
    """Find writable memory, cpu and pids controllers (v1 first when memory is on v1, else v2)."""
    if os.environ.get(DISABLE_VARIABLE) == "1":
        return Support(None, reason=f"{DISABLE_VARIABLE}=1")
    if mountinfo is None:
        mountinfo = _read(Path("/proc/self/mountinfo"))
        proc_cgroup = _read(Path("/proc/self/cgroup"))
    if not mountinfo:
        return Support(None, reason="this system has no /proc/self/mountinfo (not Linux)")
    mounts, own = _mounts(mountinfo), _own_groups(proc_cgroup or "")
    v1 = {}
    for fstype, point, root, options in mounts:
        if fstype == "cgroup":
            for name in ("memory", "cpu", "pids", "cpuacct", "freezer"):
                if name in options and name in own:
                    v1.setdefault(name, _inside(point, root, own[name]))
    if "memory" in v1:
        missing = [name for name in _REQUIRED if name not in v1]
        if missing:
            return Support(None, reason=f"cgroup v1 without the {', '.join(missing)} controller")
        return _usable(Support(1, v1))
    for fstype, point, root, _ in mounts:
        if fstype == "cgroup2" and "" in own:
            parent = _inside(point, root, own[""])
            available = set(_read(parent / "cgroup.controllers").split())
            missing = [name for name in _REQUIRED if name not in available]
            if missing:
                return Support(
                    None, reason=f"cgroup v2 without the {', '.join(missing)} controller delegated to {parent}"
                )
            return _usable(Support(2, {"": parent}))
    return Support(None, reason="no cgroup file system is mounted")


def _usable(support: Support) -> Support:
    """The same support if a group can be made and removed in every hierarchy, else why not."""
    probe = f"{RUN_GROUP_PREFIX}probe-{os.getpid()}-{secrets.token_hex(4)}"
    made = []
    try:
        for parent in support.parents.values():
            (parent / probe).mkdir()
            made.append(parent / probe)
    except OSError as err:
        return Support(
            None,
            reason=f"cannot make a control group under {parent} ({err.strerror or err}); "
            "run the grader as root or in a delegated cgroup (systemd-run --user --scope -p "
            "Delegate=yes)",
        )
    finally:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                pass
    return support


# --- one run, one submission -----------------------------------------------------------------------


def _v2_enable(parent: Path) -> None:
    """Enable memory, cpu and pids for ``parent``'s children. A v2 group with processes cannot give
    controllers to children ("no internal processes"): the grader then moves into a leaf first."""
    wanted = " ".join(f"+{name}" for name in _REQUIRED)
    try:
        _write(parent / "cgroup.subtree_control", wanted)
        return
    except OSError:
        pass
    leaf = parent / f"{RUN_GROUP_PREFIX}grader-{os.getpid()}"
    leaf.mkdir(exist_ok=True)
    for pid in _read(parent / "cgroup.procs").split():
        try:
            _write(leaf / "cgroup.procs", pid)
        except OSError:
            pass
    _write(parent / "cgroup.subtree_control", wanted)


class RunGroups:
    """The run's group in each hierarchy, and a ``SubmissionGroup`` per submission."""

    def __init__(self, support: Support):
        self.support = support
        self.name = f"{RUN_GROUP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self.folders: dict[str, Path] = {}
        for controller, parent in support.parents.items():
            if support.version == 2:
                _v2_enable(parent)
            folder = parent / self.name
            folder.mkdir()
            self.folders[controller] = folder
            if support.version == 2:
                _write(folder / "cgroup.subtree_control", " ".join(f"+{n}" for n in _REQUIRED))

    def submission(self, index: int, *, memory_mb: float, cpus: float) -> SubmissionGroup:
        return SubmissionGroup(self, f"s{index}", memory_mb=memory_mb, cpus=cpus)

    def close(self) -> None:
        for folder in self.folders.values():
            remove_group(folder)


class SubmissionGroup:
    """One submission's groups: limits set, processes added, events read, everything killed."""

    def __init__(self, run: RunGroups, name: str, *, memory_mb: float, cpus: float):
        self.version = run.support.version
        self.memory_limit_mb = memory_mb
        self.folders = {controller: folder / name for controller, folder in run.folders.items()}
        memory_bytes = int(memory_mb * 2**20)
        worker_bytes = memory_bytes + WORKER_MEMORY_MB * 2**20
        quota = max(1000, int(cpus * _PERIOD_US))
        for folder in self.folders.values():
            folder.mkdir()
        if self.version == 2:
            top = self.folders[""]
            _write(top / "cgroup.subtree_control", "+memory")
            _write(top / "memory.max", str(worker_bytes))
            _write(top / "cpu.max", f"{quota} {_PERIOD_US}")
            _write(top / "pids.max", str(MAX_TASKS))
            for leaf in ("worker", "kernel"):
                (top / leaf).mkdir()
            _write(top / "kernel" / "memory.max", str(memory_bytes))
            for path in (top / "memory.swap.max", top / "kernel" / "memory.swap.max"):
                if path.exists():
                    _write(path, "0")
            self.worker_procs = [top / "worker" / "cgroup.procs"]
            self.kernel_procs = [top / "kernel" / "cgroup.procs"]
            self.kernel_memory = top / "kernel"
        else:
            memory = self.folders["memory"]
            (memory / "kernel").mkdir()
            # swap first: memory.memsw.limit_in_bytes may never be below memory.limit_in_bytes
            for folder, limit in ((memory, worker_bytes), (memory / "kernel", memory_bytes)):
                _write(folder / "memory.limit_in_bytes", str(limit))
                if (folder / "memory.memsw.limit_in_bytes").exists():
                    _write(folder / "memory.memsw.limit_in_bytes", str(limit))
            _write(self.folders["cpu"] / "cpu.cfs_period_us", str(_PERIOD_US))
            _write(self.folders["cpu"] / "cpu.cfs_quota_us", str(quota))
            _write(self.folders["pids"] / "pids.max", str(MAX_TASKS))
            self.worker_procs = [folder / "cgroup.procs" for folder in self.folders.values()]
            self.kernel_procs = [memory / "kernel" / "cgroup.procs"]
            self.kernel_memory = memory / "kernel"

    # -- joining -----------------------------------------------------------------------------------

    def add_worker(self, pid: int) -> None:
        """Put the worker (before it starts anything) into the submission's groups."""
        for procs in self.worker_procs:
            _write(procs, str(pid))

    def kernel_launcher(self) -> list[str]:
        """A command prefix that moves the kernel into its group before anything of it runs."""
        moves = "; ".join(f"echo $$ > '{procs}' || exit 97" for procs in self.kernel_procs)
        return ["/bin/sh", "-c", f'{moves}; exec "$@"', "regcourse-kernel"]

    # -- reading -----------------------------------------------------------------------------------

    def _top(self, controller: str) -> Path:
        return self.folders["" if self.version == 2 else controller]

    def memory_mb(self) -> float:
        """The kernel group's memory now: anonymous memory and tmpfs (not the page cache of files)."""
        stat = _keyed(_read(self.kernel_memory / "memory.stat"))
        if self.version == 2:
            used = stat.get("anon", 0) + stat.get("shmem", 0)
        else:
            used = stat.get("total_rss", 0) + stat.get("total_shmem", 0)
        return used / 2**20

    def oom_kills(self) -> tuple[int, int]:
        """(processes the OOM killer stopped in the kernel group, in the whole submission)."""

        def count(folder: Path) -> int:
            if self.version == 2:
                return _keyed(_read(folder / "memory.events")).get("oom_kill", 0)
            return _keyed(_read(folder / "memory.oom_control")).get("oom_kill", 0)

        return count(self.kernel_memory), count(self._top("memory"))

    def hit_task_limit(self) -> bool:
        return _keyed(_read(self._top("pids") / "pids.events")).get("max", 0) > 0

    def cpu_seconds(self) -> float | None:
        if self.version == 2:
            return _keyed(_read(self.folders[""] / "cpu.stat")).get("usage_usec", 0) / 1e6
        if "cpuacct" in self.folders:
            text = _read(self.folders["cpuacct"] / "cpuacct.usage").strip()
            return int(text) / 1e9 if text.isdigit() else None
        return None

    # -- ending ------------------------------------------------------------------------------------

    def kill(self, seconds: float = 10.0) -> bool:
        """SIGKILL every process of the submission, however it forks; True when none is left."""
        return kill_group(self._top("pids"), self.version, freezer=self.folders.get("freezer"), seconds=seconds)

    def remove(self) -> None:
        for folder in self.folders.values():
            remove_group(folder)


def _group_pids(folder: Path) -> list[int]:
    pids = []
    for procs in folder.rglob("cgroup.procs"):
        pids += [int(p) for p in _read(procs).split() if p.isdigit()]
    return pids


def kill_group(folder: Path, version: int | None, *, freezer: Path | None = None, seconds: float = 10.0) -> bool:
    """SIGKILL everything in ``folder`` (and its subgroups) until it is empty.

    v2 kernels from 5.14 kill a whole group at once (``cgroup.kill``). On v1 the group is frozen
    first where the freezer is mounted, every member is sent SIGKILL while none can fork, and the
    group is thawed so that they die: a process that forks and exits in a loop cannot stay a step
    ahead. Either way the sweep repeats until the group is empty.
    """
    if version == 2 and (folder / "cgroup.kill").exists():
        try:
            _write(folder / "cgroup.kill", "1")
        except OSError:
            pass
    if freezer is not None and _freeze(freezer):
        try:
            _signal_all(_group_pids(folder))
        finally:
            try:
                _write(freezer / "freezer.state", "THAWED")
            except OSError:
                pass
    deadline = time.monotonic() + seconds
    while True:
        pids = _group_pids(folder)
        if not pids:
            return True
        if time.monotonic() > deadline:
            return False
        _signal_all(pids)
        time.sleep(0.01)


def _freeze(freezer: Path) -> bool:
    """Freeze a v1 freezer group; True once every task in it is frozen."""
    try:
        _write(freezer / "freezer.state", "FROZEN")
    except OSError:
        return False
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        if _read(freezer / "freezer.state").strip() == "FROZEN":
            return True
        time.sleep(0.005)
    return False


def _signal_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def remove_group(folder: Path) -> None:
    """Remove a group and its subgroups (children first); never raises."""
    if not folder.is_dir():
        return
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        _rmdir(sub)
    _rmdir(folder)


def _rmdir(folder: Path) -> None:
    for _ in range(50):  # a group is busy for a moment after its last process died
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def clean_stale_groups(support: Support) -> list[str]:
    """Kill what is left in, and remove, the run groups of graders that are no longer running."""
    removed = []
    for parent in support.parents.values():
        for folder in parent.glob(RUN_GROUP_PREFIX + "*"):
            owner = folder.name[len(RUN_GROUP_PREFIX) :].split("-")
            if owner and owner[0] == "grader":
                continue  # a v2 grader's own leaf: removed when empty
            try:
                alive = owner[0] != "probe" and int(owner[0]) > 0 and _running(int(owner[0]))
            except ValueError:
                continue
            if alive:
                continue
            kill_group(folder, support.version, freezer=None, seconds=5.0)
            remove_group(folder)
            removed.append(str(folder))
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_groups() -> tuple[RunGroups | None, str | None]:
    """(the run's groups, None), or (None, what the grader does instead and why) where cgroups
    cannot be used here. Groups left by graders that were killed are removed first."""
    support = detect()
    if support.version is not None:
        clean_stale_groups(support)
        try:
            return RunGroups(support), None
        except OSError as err:
            support = Support(None, reason=f"cannot set up the run's control group ({err.strerror or err})")
    return None, (
        f"{support.summary}: each submission's memory is measured by polling its processes' resident "
        "memory (files in the sandbox's /tmp are capped by its size instead), its CPU share and number "
        "of processes are not limited, and its processes are killed by a sweep of its process tree. "
        "Grade with --jobs 1 here; see the README (For instructors)."
    )


@contextlib.contextmanager
def submission_group(groups: RunGroups | None, index: int, *, memory_mb: float, cpus: float):
    """A submission's group for the time of its grading (None without cgroups); removed afterwards."""
    group = None
    if groups is not None:
        try:
            group = groups.submission(index, memory_mb=memory_mb, cpus=cpus)
        except OSError:
            group = None
    try:
        yield group
    finally:
        if group is not None:
            group.kill()
            group.remove()


# --- disk -------------------------------------------------------------------------------------------

MAX_FILES = 100_000  # files and folders in one working copy: more is over the disk limit too


@dataclass
class Usage:
    """What a folder holds: bytes allocated on disk, its largest file, how many entries."""

    bytes: int = 0
    largest_file: int = 0
    entries: int = 0

    @property
    def mb(self) -> float:
        return self.bytes / 2**20


def folder_usage(path, *, max_entries: int = MAX_FILES) -> Usage:
    """Disk used under ``path``: allocated bytes (``st_blocks``), not following symbolic links.

    Iterative at any depth, holding one open folder at a time (a tree deeper than PATH_MAX and
    than the open-file limit is walked like any other); stops counting after ``max_entries``.
    Entries that vanish while the walk runs (the kernel is still writing) are skipped.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    usage = Usage()
    try:
        fd = os.open(path, flags)
    except OSError:
        return usage
    pending: list[list[str]] = []  # per folder on the way down: its subfolders not yet visited

    def scan(folder_fd: int) -> bool:
        """Count one folder's entries; False once ``max_entries`` is passed."""
        subfolders = []
        pending.append(subfolders)
        try:
            with os.scandir(folder_fd) as entries:
                for entry in entries:
                    usage.entries += 1
                    if usage.entries > max_entries:
                        return False
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    usage.bytes += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        subfolders.append(entry.name)
                    elif entry.is_file(follow_symlinks=False):
                        usage.largest_file = max(usage.largest_file, info.st_size)
        except OSError:
            pass
        return True

    try:
        if not scan(fd):
            return usage
        while True:
            while not pending[-1]:
                pending.pop()
                if not pending:
                    return usage
                up = os.open("..", flags, dir_fd=fd)
                os.close(fd)
                fd = up
            try:
                down = os.open(pending[-1].pop(), flags, dir_fd=fd)
            except OSError:
                continue  # removed or replaced meanwhile
            os.close(fd)
            fd = down
            if not scan(fd):
                return usage
    finally:
        os.close(fd)
