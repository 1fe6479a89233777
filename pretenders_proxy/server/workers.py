"""`--workers N`: the parent forks N whole servers on the same ports and supervises them.

Worker 0 starts alone (it makes the CA and sets the fleet's mode in the shared store), the
others after it; the ready file is the parent's, written once all of them are ready.
"""

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

from pretenders_proxy.server import ready
from pretenders_proxy.settings import Settings

type Run = Callable[[Settings, Path | None], int]
"""Runs one worker to its end and returns its exit status; the path is where worker 0 writes
its banner (None for the others: they print none)."""

SIGNALS = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}
STOP_SECONDS = 10.0
"""How long stopping workers may take before they are killed."""


def folder_prefix(parent: int | None = None) -> str:
    """The prefix of the parent's temporary folder, where its workers say they are ready."""
    return f"pretenders-workers-{parent or os.getpid()}-"


_PR_SET_PDEATHSIG = 1


def serve(settings: Settings, run: Run) -> int:
    """Run `settings.workers` workers until SIGTERM/SIGINT; the exit status. The banner is
    worker 0's, printed once all are ready; the ready file lists the workers' pids."""
    block_signals()
    _remove(settings.ready_file)  # one left by an earlier run would say we listen already
    fleet = Fleet(settings, run)
    try:
        if (status := fleet.start()) is not None:
            return status
        if fleet.banner.exists():
            sys.stdout.write(fleet.banner.read_text())
            sys.stdout.flush()
        listeners = fleet.listeners()
        fleet.cleanup()  # needed no more: gone now, even if this process is killed later
        if (path := settings.ready_file) is not None:
            content = ready.document(listeners, settings.confdir)
            try:
                ready.write(path, content | {"workers": fleet.pids()})
            except OSError as e:
                say(f"--ready-file {path}: cannot write it ({e.strerror or e})")
                return 2
        return fleet.supervise()
    finally:
        fleet.stop()
        _remove(settings.ready_file)
        fleet.cleanup()


def _remove(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):  # one that cannot go cannot be written either
            path.unlink(missing_ok=True)


@dataclass(eq=False)
class Fleet:
    """The parent's view of its workers: pid -> index of each one still running."""

    settings: Settings
    run: Run
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix=folder_prefix())))
    live: dict[int, int] = field(default_factory=dict)
    ready_timeout: float = 60.0

    @property
    def banner(self) -> Path:
        return self.folder / "banner.txt"

    def pids(self) -> list[int]:
        """The running workers' pids, worker 0's first."""
        return sorted(self.live, key=self.live.__getitem__)

    def ready_file(self, index: int) -> Path:
        return self.folder / f"worker-{index}.json"

    def spawn(self, index: int) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            self._be_worker(index, parent)
        self.live[pid] = index

    def _be_worker(self, index: int, parent: int) -> NoReturn:
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
            _die_with(parent)
            settings = replace(self.settings, ready_file=self.ready_file(index))
            status = self.run(settings, self.banner if index == 0 else None)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)

    def start(self) -> int | None:
        """Start every worker, each once the one before is ready if it is worker 0; None when
        all are ready, else the exit status of the first that ended (the others are stopped)."""
        self.spawn(0)
        if (status := self._wait_ready([0])) is not None:
            return status
        for index in range(1, self.settings.workers):
            self.spawn(index)
        return self._wait_ready(list(range(1, self.settings.workers)))

    def _wait_ready(self, indexes: list[int]) -> int | None:
        waited = 0.0
        while not all(self.ready_file(index).exists() for index in indexes):
            if (info := signal.sigtimedwait(SIGNALS, 0.05)) is not None:
                if info.si_signo != signal.SIGCHLD:
                    self.stop()
                    return 0
                if (ended := self.reap()) is not None:
                    self.stop()
                    return ended[1]
            waited += 0.05
            if waited > self.ready_timeout:
                say(f"the workers were not ready within {self.ready_timeout:g}s")
                self.stop()
                return 1
        return None

    def reap(self) -> tuple[int, int] | None:
        """The (index, exit status) of a worker that ended, now forgotten; None if none did."""
        while self.live:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return None
            if (index := self.live.pop(pid, None)) is not None:
                return index, _exit_status(wait_status)
        return None

    def supervise(self) -> int:
        """Until SIGTERM/SIGINT (stop every worker: 0) or the last worker's end (1). A worker
        that ends is said on stderr; the others keep serving, the shared store holds it all."""
        while self.live:
            info = signal.sigwaitinfo(SIGNALS)
            if info.si_signo != signal.SIGCHLD:
                self.stop()
                return 0
            while (ended := self.reap()) is not None:
                index, status = ended
                say(
                    f"worker {index} ended with status {status}; "
                    f"{len(self.live)} of {self.settings.workers} keep serving"
                )
        return 1

    def stop(self) -> None:
        """SIGTERM every worker and wait for them; SIGKILL whoever is not done in time."""
        for pid in self.live:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        waited = 0.0
        while self.live and waited < STOP_SECONDS:
            signal.sigtimedwait({signal.SIGCHLD}, 0.1)
            while self.reap() is not None:
                pass
            waited += 0.1
        for pid in list(self.live):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.live.clear()

    def listeners(self) -> dict[str, str]:
        """Every worker's listeners (the same ports): worker 0's ready file says them."""
        content = ready.read(self.ready_file(0)) or {}
        return dict(content.get("listeners", {}))

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def say(message: str) -> None:
    print(f"pretenders: {message}", file=sys.stderr, flush=True)


def block_signals() -> None:
    """Keep SIGCHLD, SIGTERM and SIGINT pending, for the parent to take with sigwaitinfo (each
    worker unblocks them first thing)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)


def _die_with(parent: int) -> None:
    """SIGTERM this worker when the parent ends, however it ends (Linux: PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before that was set
        os.kill(os.getpid(), signal.SIGTERM)


def _exit_status(wait_status: int) -> int:
    """A shell's number: the exit code, or 128 + the signal that ended it."""
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.waitstatus_to_exitcode(wait_status)
