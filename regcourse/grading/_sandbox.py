"""Where a submission's kernel runs, and making sure everything it starts dies with it.

``bwrap`` (bubblewrap) gives the kernel its own PID, mount, network, IPC and UTS namespaces:
no network, a read-only view of the system and of the Python installation, its own /tmp and
/proc, and only its working folder writable. Killing the sandbox's first process kills every
process inside, however it detached (setsid, double fork). Without bubblewrap (``none``) the
kernel runs as the grader's user; the worker becomes a *child subreaper*, so that detached
processes stay in its process tree, are counted against the memory limit and are killed with it.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AUTO, BWRAP, NONE = "auto", "bwrap", "none"
MODES = (AUTO, BWRAP, NONE)
RUN_PREFIX = "regcourse-grading-run-"
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36

# What a Python kernel needs from /etc (the rest of /etc, /home, /root, /work, /tmp stay hidden).
_ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "passwd",
    "group",
    "nsswitch.conf",
    "fonts",
    "alternatives",
    "mime.types",
    "matplotlibrc",
)
# Kernel threads: jobs run side by side on few cores, so each kernel computes on one thread.
THREAD_LIMITS = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
    )
}


class SandboxUnavailable(RuntimeError):
    """``--sandbox bwrap`` was asked for but bubblewrap is missing or does not work here."""


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Orphaned descendants of this process are re-parented to it instead of to init (Linux)."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> None:
    """Get ``sig`` when the parent dies; exit now if it is already gone."""
    _prctl(_PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent_pid:
        os._exit(1)


def _living(processes):
    import psutil

    alive = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


def descendants(pid: int) -> list:
    """The living descendants of ``pid`` (psutil processes); empty when it is gone."""
    import psutil

    try:
        return _living(psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` from /proc (every thread's ``children`` file): far faster than a scan
    of the whole process table, so a sweep keeps up with a process that forks and exits in a loop."""
    found = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as stream:
                found += [int(child) for child in stream.read().split()]
        except (OSError, ValueError):
            pass
    return found


def zombie_children(pid: int) -> list[int]:
    """The children of ``pid`` that have exited and wait to be collected."""
    zombies = []
    for child in _children(pid):
        try:
            with open(f"/proc/{child}/stat") as stream:
                if stream.read().rpartition(")")[2].split()[0] == "Z":
                    zombies.append(child)
        except (OSError, IndexError):
            pass
    return zombies


def _living_tree(pid: int) -> list[int]:
    """Every descendant of ``pid`` that is not a zombie, breadth first, read from /proc."""
    living, queue, seen = [], _children(pid), set()
    while queue:
        child = queue.pop()
        if child in seen:
            continue
        seen.add(child)
        try:
            with open(f"/proc/{child}/stat") as stream:
                state = stream.read().rpartition(")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            living.append(child)
        queue += _children(child)
    return living


def kill_descendants(pid: int, *, seconds: float = 10.0) -> bool:
    """SIGKILL every descendant of ``pid``, sweep after sweep until none is left (True) or ``seconds``
    have passed (False). Used where no cgroup holds the submission: ``pid`` is the worker, a child
    subreaper, so whatever its descendants detach stays under it and is found by the next sweep."""
    if not os.path.isdir(f"/proc/{pid}/task"):  # not Linux, or gone: psutil's view of the tree
        return _kill_descendants_psutil(pid)
    deadline = time.monotonic() + seconds
    quiet = 0
    while time.monotonic() < deadline:
        if pid == os.getpid():
            reap_children()
        family = _living_tree(pid)
        if not family:
            quiet += 1
            if quiet >= 3:  # empty three sweeps running: nothing was between a fork and its exit
                return True
            time.sleep(0.01)
            continue
        quiet = 0
        for member in family:
            try:
                os.kill(member, signal.SIGKILL)
            except OSError:
                pass
    return not _living_tree(pid)


def _kill_descendants_psutil(pid: int, *, rounds: int = 50) -> bool:
    import psutil

    for _ in range(rounds):
        family = descendants(pid)
        if not family:
            return True
        for member in family:
            try:
                member.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(family, timeout=0.5)
    return not descendants(pid)


def reap_children() -> None:
    """Collect exited children (a subreaper inherits zombies)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def process_memory_mb(pid: int) -> float:
    """Resident memory of one process (0 when it is gone)."""
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return 0.0


def tree_memory_mb(pid: int, cpu: dict | None = None) -> float:
    """Resident memory of every descendant of ``pid`` (the kernel and anything it started).

    ``cpu``, when given, is updated with each process's CPU seconds so far (pid -> seconds),
    ``pid`` itself included: the benchmark's measure of work, independent of the machine's load.
    """
    import psutil

    total = 0
    members = descendants(pid)
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    if cpu is not None:
        for member in members + _living([psutil.Process(pid)] if psutil.pid_exists(pid) else []):
            try:
                times = member.cpu_times()
                cpu[member.pid] = max(cpu.get(member.pid, 0.0), times.user + times.system)
            except psutil.NoSuchProcess:
                pass
    return total / 2**20


# --- bubblewrap -------------------------------------------------------------------------------------


def readable_paths(exclude: Path | None = None) -> list[str]:
    """The Python installation, its packages and regcourse itself: bound read-only into the sandbox.

    ``exclude`` (the run's private folder) is never among them, nor any folder that contains it.
    """
    import regcourse

    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(Path(regcourse.__file__).resolve().parents[1] / "regcourse"),
    }
    candidates.add(str(Path(sys.executable).resolve().parents[1]))
    candidates.update(_interpreter_chain())
    candidates.update(p for p in sys.path if p and os.path.isabs(p))
    hidden = [str(Path(exclude).resolve())] if exclude else []
    paths = sorted(str(Path(p).resolve()) for p in candidates if os.path.exists(p))
    paths = [
        p
        for p in paths
        if not any(p == h or p.startswith(h.rstrip("/") + "/") or h.startswith(p.rstrip("/") + "/") for h in hidden)
        or p in (sys.prefix, sys.base_prefix)
    ]
    kept = []
    for path in paths:  # drop paths inside one already kept
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _interpreter_chain() -> set[str]:
    """The folders of every link from sys.executable to the real interpreter, and the venv's
    ``home``: a venv made by a python3 that is itself a symbolic link (say, in a folder under /tmp)
    starts only if the sandbox can follow each hop."""
    folders = set()
    path = sys.executable
    for _ in range(40):  # a cycle of links ends the walk
        folders.add(os.path.dirname(os.path.abspath(path)))
        if not os.path.islink(path):
            break
        target = os.readlink(path)
        path = target if os.path.isabs(target) else os.path.join(os.path.dirname(path), target)
    config = Path(sys.prefix) / "pyvenv.cfg"
    if config.is_file():
        for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home" and os.path.isabs(value.strip()):
                folders.add(value.strip())
    return {folder for folder in folders if os.path.isdir(folder)}


def bwrap_prefix(work: Path, exclude: Path | None = None, tmpfs_bytes: int | None = None) -> list[str]:
    """The bubblewrap command line that runs a command inside the sandbox, in ``work``.

    ``tmpfs_bytes`` caps the private /tmp and /dev/shm (memory file systems: what is written there
    is memory that no process's resident size shows; the memory group counts it as well)."""
    work = str(Path(work).resolve())
    args = [
        "bwrap",
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        # the kernel would watch for its parent by a PID that means nothing in its namespace
        "--unsetenv",
        "JPY_PARENT_PID",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.exists():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # The private /tmp first, then the Python installation over it: bwrap mounts in order, so a
    # venv or checkout that lives under /tmp (CI's clones do) stays visible, read-only.
    size = ["--size", str(int(tmpfs_bytes))] if tmpfs_bytes else []
    # /dev is a memory file system of bwrap's own: read-only, so that nothing is written there but
    # through its devices; /dev/shm and /tmp are memory file systems capped at ``tmpfs_bytes``.
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--remount-ro",
        "/dev",
        *size,
        "--tmpfs",
        "/tmp",
        *size,
        "--tmpfs",
        "/dev/shm",
    ]
    for path in readable_paths(exclude):
        if path not in ("/", "/usr") and not path.startswith("/usr/"):
            args += ["--ro-bind", path, path]
    args += ["--bind", work, work, "--chdir", work]
    return args


def bwrap_works() -> str | None:
    """None when bubblewrap runs a sandboxed Python here; else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="regcourse-bwrap-test-") as work:
        try:
            result = subprocess.run(
                bwrap_prefix(Path(work)) + [sys.executable, "-c", "import regcourse"],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap failed to start ({err})"
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bubblewrap cannot run a sandbox here ({detail})"
    return None


def choose(mode: str) -> tuple[str, str | None]:
    """(the mode to use, a warning or None). Raises SandboxUnavailable for ``bwrap`` that cannot run."""
    if mode not in MODES:
        raise ValueError(f"sandbox must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == NONE:
        return NONE, None
    problem = bwrap_works()
    if problem is None:
        return BWRAP, None
    if mode == BWRAP:
        raise SandboxUnavailable(f"{problem}; install it (apt-get install bubblewrap) or use --sandbox none")
    return NONE, (
        f"{problem}: grading without a sandbox. Each submission still runs on a private copy, its "
        "processes are killed afterwards and it is judged from outside its kernel, but its code runs "
        "with your user's permissions: it can read and change your files, see other processes and "
        "use the network. Install bubblewrap (apt-get install bubblewrap) for isolation."
    )


# --- the run's temporary folder, and what a killed grader left behind ---------------------------------


def _lock(path: Path):
    import fcntl

    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def runs_root() -> str:
    """Where run folders go: the temporary folder, or /tmp when its path is long (a kernel's Unix
    socket path must stay under about 100 characters)."""
    root = tempfile.gettempdir()
    if len(root) > 40 and os.path.isdir("/tmp") and os.access("/tmp", os.W_OK):
        return "/tmp"
    return root


def clean_stale_runs(root: str | None = None) -> list[str]:
    """Remove the folders of grading runs whose grader is gone (killed), and kill what still runs
    in them. A live run holds a lock on its folder, so it is left alone."""
    import psutil

    from regcourse.grading._cleanup import remove_tree

    removed = []
    for folder in Path(root or runs_root()).glob(RUN_PREFIX + "*"):
        lock = folder / ".lock"
        if not lock.exists():
            continue
        handle = _lock(lock)
        if handle is None:
            continue  # its grader is still running
        try:
            inside = str(folder.resolve()) + "/"
            for process in psutil.process_iter(["cwd"]):
                try:
                    if (process.info.get("cwd") or "").startswith(inside):
                        process.kill()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            if remove_tree(folder):
                removed.append(str(folder))
        finally:
            handle.close()
    return removed


class RunFolder:
    """The private folder of one grading run, locked while the run lasts, removed at its end."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=runs_root()))
        self._handle = _lock(self.path / ".lock")

    def close(self) -> None:
        from regcourse.grading._cleanup import remove_tree

        remove_tree(self.path)  # whatever a submission left there (see _cleanup.py)
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_gone(pids: list[int], seconds: float = 2.0) -> None:
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in pids):
        time.sleep(0.05)
