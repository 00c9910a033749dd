"""The grading worker: one process per submission, outside the sandbox, trusted.

It starts the submission's kernel (inside bubblewrap when asked), runs the private copy of the
notebook top to bottom, then judges every exercise of the chapter from outside the kernel, and
writes what happened as JSON to a report only the grader can reach.

Each cell may run for ``cell_timeout`` seconds. A cell that runs longer is interrupted (an
``interrupt_request`` on the kernel's control channel, with or without a sandbox: jupyter_client's
SIGINT would go to bubblewrap, which then ends the whole sandbox), and once the kernel is idle
again the next cell runs, as after a cell that raised. A kernel still busy ``GRACE_SECONDS`` after
the interrupt (a cell that catches KeyboardInterrupt, or code that ignores it) cannot answer the
judge, since it runs one request at a time: no further cell runs, nothing is judged, and the
report says which cell.

The worker is a child subreaper, so whatever the kernel starts stays in its process tree, and it
kills that whole tree before it exits, or when its grader dies.

    python -c "import sys; del sys.path[0]; from regcourse.grading._worker import main; main()" < config.json

(not ``-m``, which would put the working directory first on ``sys.path``: see ``_submission.py``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from regcourse.grading import _limits, _sandbox


def _duration(execution: dict) -> float | None:
    """Seconds between the kernel starting and finishing a cell, from nbclient's timing metadata."""
    from datetime import datetime

    try:
        start = datetime.fromisoformat(execution["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(execution["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError, AttributeError):
        return None
    return (end - start).total_seconds()


MAX_MESSAGE_BYTES = 80 * 2**20  # one message from the kernel, all its frames together (a reply is <= 64 MB)


class MessageTooLarge(ValueError):
    """A kernel sent a message above MAX_MESSAGE_BYTES; its text is never kept."""


def _bounded_context(*, asynchronous: bool):
    """A ZeroMQ context whose sockets drop a peer that sends a frame above MAX_MESSAGE_BYTES.

    ZeroMQ checks each frame, not the message: ``_bound_session`` checks the whole message, and
    the worker's memory group (``_limits``) bounds what many frames can take before that."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context() if asynchronous else zmq.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    return context


def _bound_session(session) -> None:
    """Make ``session`` (and every clone of it: a kernel client gets a clone) refuse a message whose
    frames add up to more than MAX_MESSAGE_BYTES, or whose signature is not a signature, before it
    is parsed, with a short error of its own (jupyter_client's "Invalid Signature" error would carry
    the whole frame into the gradebook)."""
    from jupyter_client.session import Session

    class BoundedSession(Session):
        def deserialize(self, msg_list, content=True, copy=True):
            sizes = [len(frame.bytes if hasattr(frame, "bytes") else frame) for frame in msg_list]
            if sum(sizes) > MAX_MESSAGE_BYTES:
                raise MessageTooLarge(
                    f"the kernel sent a message of {sum(sizes) / 2**20:,.0f} MB in "
                    f"{len(sizes)} frames; the grader reads at most "
                    f"{MAX_MESSAGE_BYTES // 2**20} MB"
                )
            if sizes and sizes[0] > 512:
                raise MessageTooLarge(f"the kernel sent a message with a {sizes[0]:,}-byte signature")
            return super().deserialize(msg_list, content=content, copy=copy)

    session.__class__ = BoundedSession


def _limit_files(disk_bytes: int) -> None:
    """No file written by the worker or by anything it starts (the kernel) may grow past
    ``disk_bytes`` (RLIMIT_FSIZE; a sandboxed kernel cannot raise it back), and no core dumps."""
    import resource

    for limit, value in ((resource.RLIMIT_FSIZE, disk_bytes), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass


def _limit_own_data(extra_bytes: int) -> None:
    """Without a cgroup, bound what the worker itself may allocate from now on to ``extra_bytes``
    more than it holds (RLIMIT_DATA: its heap and private memory maps, where what the kernel sends
    arrives). Set once the kernel is running, so the kernel does not inherit it: polling the
    worker's resident memory alone let a burst of large frames through on a loaded machine (1.3 GB
    against a 912 MB allowance). Past it an allocation fails, and the worker ends with an error."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            held = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
        resource.setrlimit(resource.RLIMIT_DATA, (held + extra_bytes, held + extra_bytes))
    except (OSError, ValueError, StopIteration):
        pass  # not Linux, or the limit is lower already: the grader's polling stays


def _kernel_manager(config: dict):
    from jupyter_client.manager import AsyncKernelManager

    work = Path(config["work"])
    prefix = list(config.get("kernel_prefix") or [])  # into the kernel's memory group first
    if config["sandbox"] == "bwrap":
        prefix += _sandbox.bwrap_prefix(
            work, exclude=Path(config["run_folder"]), tmpfs_bytes=int(float(config["memory_mb"]) * 2**20)
        )

    class SandboxedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return prefix + super().format_kernel_cmd(extra_arguments)

    ipc = work / ".ipc"
    ipc.mkdir(exist_ok=True)
    # Unix sockets in the working folder: they reach the kernel across its network namespace,
    # and no TCP port is opened for anyone else on the machine.
    manager = SandboxedKernelManager(
        kernel_name="python3", transport="ipc", ip=str(ipc / "kernel"), context=_bounded_context(asynchronous=True)
    )
    manager.connection_file = str(ipc / "connection.json")
    _bound_session(manager.session)
    # Interrupt by a message the kernel acts on itself: jupyter_client's default, SIGINT to the
    # process group it started, reaches bwrap, not the kernel in its PID namespace (tried: the
    # interrupted kernel died with its sandbox).
    manager.kernel_spec.interrupt_mode = "message"
    return manager


def _first_line(err: BaseException, limit: int = 500) -> str:
    """The first line of an error's message, cut to ``limit`` characters (a kernel can put megabytes in it)."""
    text = str(err)[: limit + 1]
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= limit else first[:limit] + " …"


GRACE_SECONDS = 5.0  # how long an interrupted cell may take to stop


def _execute_cells(client, notebook, cell_timeout: float, outcome: dict) -> None:
    """Run every cell as nbclient's ``execute`` does, but interrupt a cell that runs past
    ``cell_timeout`` and go on with the next one once the kernel is idle. Interrupted cells (numbered
    from 1, as in the notebook) go into ``outcome["interrupted"]``; a kernel still busy
    GRACE_SECONDS after the interrupt, into ``outcome["stuck"]``, and no further cell runs. Raises
    what nbclient raises for a kernel that dies or does not start."""
    import asyncio

    from nbclient.client import timestamp
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async, run_sync

    async def execute():
        client.reset_execution_trackers()
        async with client.async_setup_kernel():
            info = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
            if info is not None and "language_info" not in info["content"]:
                raise RuntimeError("the kernel's info has no language_info")
            for index, cell in enumerate(notebook.cells):
                try:
                    await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                except CellTimeoutError:
                    # nbclient leaves the cell's output reader running: it ends at the cell's
                    # "idle" status, which the kernel sends once the interrupted code has stopped.
                    reader = client.output_reader
                    await ensure_async(client.km.interrupt_kernel())
                    done, _ = await asyncio.wait({reader}, timeout=GRACE_SECONDS)
                    if not done:
                        reader.cancel()
                        if not await ensure_async(client.kc.is_alive()):
                            raise DeadKernelError(
                                f"it stopped after cell {index + 1} ran for more than "
                                f"{cell_timeout:g} s and was interrupted"
                            ) from None
                        outcome["stuck"] = {"cell": index + 1}
                        return
                    reader.result()  # what stopped it, if not the cell's end (a message too large)
                    cell.setdefault("metadata", {}).setdefault("execution", {})["shell.execute_reply"] = timestamp()
                    outcome["interrupted"].append({"cell": index + 1})

    outcome["interrupted"] = []
    run_sync(execute)()


def run(config: dict) -> dict:
    import asyncio
    import time

    phases = {"start": time.monotonic()}
    # jsonschema (under nbformat) imports rfc3987_syntax when it is installed, which compiles a
    # grammar for seconds at import; nbformat never validates IRIs. This process only grades.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from jupyter_client import BlockingKernelClient
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    from regcourse.grading._judge import Line, judge_chapter

    class GradingClient(NotebookClient):
        # Keep error outputs only: the grade comes from the answers, and dropping the rest
        # keeps a cell that prints megabytes from filling the worker's memory.
        def output(self, outs, msg, display_id, cell_index):
            if msg["msg_type"] == "error":
                return super().output(outs, msg, display_id, cell_index)
            return None

        async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
            self.output_reader = asyncio.current_task()  # the running cell's, for _execute_cells
            return await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)

        async def async_start_new_kernel(self, **kwargs):
            await super().async_start_new_kernel(**kwargs)
            if not config.get("kernel_prefix"):  # no cgroup holds the worker: the kernel's data is bounded here
                _limit_own_data(_limits.WORKER_MEMORY_MB * 2**20)

    notebook = nbformat.read(config["notebook"], as_version=4)
    manager = _kernel_manager(config)
    cell_timeout = float(config["cell_timeout"])
    # Each cell's limit comes from timeout_func (nbclient's ``timeout`` must be a whole number, and is
    # only how long the started kernel may take to send its info).
    client = GradingClient(
        notebook,
        km=manager,
        timeout=120,
        timeout_func=lambda cell: cell_timeout,
        kernel_name="python3",
        allow_errors=True,
        record_timing=True,
        startup_timeout=120,
        resources={"metadata": {"path": config["work"]}},
    )
    outcome: dict = {"phases": phases, "cell_timeout": cell_timeout}
    phases["imports"] = time.monotonic()
    try:
        _execute_cells(client, notebook, cell_timeout, outcome)
    except DeadKernelError as err:
        outcome["kernel_died"] = _first_line(err) or "DeadKernelError"
    except Exception as err:  # the kernel did not start, or the notebook is not a Python one
        outcome["kernel_died"] = f"{type(err).__name__}: {_first_line(err)}"
    errors, interrupted = [], {entry["cell"] for entry in outcome.get("interrupted", [])}
    for index, cell in enumerate(notebook.cells, start=1):
        for out in cell.get("outputs", []) if index not in interrupted else []:  # (its KeyboardInterrupt)
            if out.get("output_type") == "error":
                errors.append(
                    {
                        "cell": index,
                        "ename": str(out.get("ename", ""))[:200],
                        "evalue": str(out.get("evalue", ""))[:300],
                    }
                )
    outcome["errors"] = errors
    outcome["cell_seconds"] = {
        index: seconds
        for index, cell in enumerate(notebook.cells, start=1)
        if cell.cell_type == "code"
        and (seconds := _duration(cell.get("metadata", {}).get("execution", {}))) is not None
    }
    phases["notebook"] = time.monotonic()
    chapter = config["chapter"]
    if chapter is not None and "kernel_died" not in outcome and "stuck" not in outcome:
        line_client = BlockingKernelClient(context=_bounded_context(asynchronous=False))
        line_client.load_connection_info(manager.get_connection_info())
        _bound_session(line_client.session)
        line_client.start_channels()
        try:
            line = Line(line_client, seconds=float(config["check_seconds"]))
            results = judge_chapter(line, chapter, seed=int(config["seed"]))
        finally:
            line_client.stop_channels()
        outcome["results"] = [r.to_json() for r in results.values()]
    phases["judge"] = time.monotonic()
    return outcome


def _reap_orphans_forever() -> None:
    """Collect, every 0.2 s, the exited processes the worker adopted as subreaper: one that forks and
    exits in a loop would otherwise fill the process table with zombies where no cgroup limits its
    processes. (The kernel's own process may be collected too once it has exited: jupyter_client
    then sees it gone, as it is.)"""
    import threading
    import time

    def reap():
        while True:
            time.sleep(0.2)
            for child in _sandbox.zombie_children(os.getpid()):
                try:
                    os.waitpid(child, os.WNOHANG)
                except ChildProcessError:
                    pass

    threading.Thread(target=reap, daemon=True, name="reap-orphans").start()


def main() -> None:
    config = json.loads(sys.stdin.read())
    _sandbox.become_subreaper()

    def on_term(signum, frame):  # the grader died or gave up: take everything along
        _sandbox.kill_descendants(os.getpid())
        os._exit(1)

    signal.signal(signal.SIGTERM, on_term)
    _sandbox.die_with_parent(int(config["parent_pid"]))
    _limit_files(int(config["disk_bytes"]))
    _reap_orphans_forever()
    try:
        outcome = run(config)
        Path(config["report"]).write_text(json.dumps(outcome), encoding="utf-8")
    finally:
        _sandbox.kill_descendants(os.getpid())
        _sandbox.reap_children()
    os._exit(0)


if __name__ == "__main__":
    main()
