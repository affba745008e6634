"""The sandbox that runs a submission's code: bubblewrap, limits, and a pipe to talk over.

Each :class:`Session` starts :mod:`actlab.grade.runner` in a fresh bubblewrap sandbox:

- its own mount namespace that shows only read-only system files (``/usr``), the Python
  installation and virtual environment, and the ``actlab`` package; a new ``/proc`` and a
  minimal ``/dev``; and a small private tmpfs at ``/tmp``, its working directory. The
  exercise notebooks, the hidden tests, other submissions and the grades are not in it;
- its own PID, IPC, UTS, cgroup and network namespaces (no network, only a loopback);
- an unprivileged identity and no capabilities: run as root, bwrap keeps only the two
  capabilities ``setpriv`` needs to switch to uid/gid 65534 (``nobody``) for real, with
  ``no_new_privs``, and a nested unprivileged bwrap forbids new user namespaces; run as
  another user, bwrap maps that user to uid 65534 in a user namespace that forbids nested ones;
- limits that the runner sets on itself before any submitted code runs (address space,
  processes, file size, CPU time per batch of cases with a cap for the whole process),
  and a wall-clock deadline for the cells and for each batch of cases, which the grader
  enforces by killing the sandbox.

The session talks to the runner with one JSON message per line over the runner's
stdin/stdout (see :mod:`actlab.grade.codec`); everything is read with a deadline and a
size cap, because the far end runs untrusted code.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import actlab
from actlab.grade.codec import MalformedData, dumps, loads

__all__ = ["Limits", "Sandbox", "Session", "SandboxUnavailable", "SessionEnded", "SessionTimeout", "SANDBOX_UID"]

SANDBOX_UID = 65534  #: ``nobody``: the identity submitted code runs as
#: Startup (bwrap, Python, numpy) is not the submission's time; allow this much for it.
STARTUP_SECONDS = 60.0
#: A runner that says more than this in one session is treated as a malformed reply.
MAX_REPLY_BYTES = 64 << 20
_PYTHON_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "ACTLAB_STATIC": "1",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    # One thread each: submissions run side by side, and threads would defeat RLIMIT_AS sizing.
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be started on this machine: a failure of the grader, not of a submission."""


class SessionTimeout(Exception):
    """The runner did not answer before the deadline."""


class SessionEnded(Exception):
    """The runner's process ended (or closed its pipe) before answering."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(returncode)
        self.returncode = returncode

    @property
    def signal_name(self) -> str | None:
        """The signal that killed the process, if one did (bwrap reports 128 + signal)."""
        code = self.returncode
        number = -code if code is not None and code < 0 else (code - 128 if code and 128 < code < 160 else None)
        if number is None:
            return None
        try:
            return signal.Signals(number).name
        except ValueError:
            return f"signal {number}"


@dataclass(frozen=True)
class Limits:
    """What a submission's code may use."""

    seconds: float = 10.0  #: wall-clock time to run the notebook's cells, and again for each batch of cases
    memory: int = 1 << 30  #: address space (RLIMIT_AS), bytes
    scratch: int = 64 << 20  #: size of the private /tmp, bytes
    processes: int = 64  #: RLIMIT_NPROC (threads count too)

    @property
    def cpu_seconds(self) -> int:
        """CPU time per batch: a backstop above the wall-clock limit, which normally acts first."""
        return int(self.seconds) + 2


class Sandbox:
    """Builds the bubblewrap command once and starts :class:`Session` objects with it."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed: `make setup` installs it from system-packages.txt"
            )
        self.python = _python_path()
        self.visible = _visible_paths(self.python)
        self.as_root = os.geteuid() == 0
        self.command = [bwrap, *self._isolation(), *self._filesystem(), *self._environment(), "--"]
        if self.as_root:
            setpriv = shutil.which("setpriv")
            if setpriv is None or not self.exposes(Path(setpriv)) or not self.exposes(Path(bwrap)):
                raise SandboxUnavailable("setpriv (util-linux) and bwrap under /usr are needed to drop root")
            # setpriv becomes uid 65534 for real; a second, unprivileged bwrap then forbids new user
            # namespaces (as --disable-userns does for a non-root grader) and changes nothing else.
            self.command += [setpriv, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups",
                             "--no-new-privs", "--inh-caps=-all",
                             bwrap, "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
                             "--disable-userns", "--dev-bind", "/", "/", "--die-with-parent", "--"]
        self.command += [str(self.python), "-s", "-P", "-B", "-m", "actlab.grade.runner",
                         f"--memory={limits.memory}", f"--cpu={limits.cpu_seconds}",
                         f"--processes={limits.processes}", f"--file-size={limits.scratch}"]

    def _isolation(self) -> list[str]:
        common = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                  "--hostname", "sandbox", "--die-with-parent", "--new-session"]
        if self.as_root:
            # No user namespace: setpriv then drops to a real unprivileged uid, which needs these two.
            return common + ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        return common + ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
                         "--disable-userns", "--cap-drop", "ALL"]

    def _filesystem(self) -> list[str]:
        # The scratch tmpfs first, so that a repository or venv under /tmp is bound on top of it.
        args = ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(self.limits.scratch),
                "--tmpfs", "/tmp"]
        for name in ("bin", "lib", "lib32", "lib64", "sbin"):
            top = Path("/") / name
            if top.is_symlink():
                args += ["--symlink", os.readlink(top), str(top)]
        made = {Path("/tmp")}
        for path in self.visible:
            # bwrap would create missing parents as 0700 root directories, which uid 65534 cannot enter.
            for parent in reversed(path.parents[:-1]):
                if parent not in made and not any(parent.is_relative_to(v) for v in self.visible):
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            args += ["--ro-bind", str(path), str(path)]
        return args + ["--chdir", "/tmp"]

    @staticmethod
    def _environment() -> list[str]:
        # PYTHONPATH makes the sandbox import the very actlab the grader imported, wherever it is.
        environment = {**_PYTHON_ENV, "PYTHONPATH": str(Path(actlab.__file__).parent.parent)}
        args = ["--clearenv"]
        for key, value in environment.items():
            args += ["--setenv", key, value]
        return args

    def exposes(self, path: Path) -> bool:
        """Whether ``path`` can be read from inside the sandbox."""
        real = Path(os.path.realpath(path))
        return any(real.is_relative_to(v) for v in self.visible)

    def start(self) -> Session:
        """A new sandboxed runner that has said it is ready (else :class:`SandboxUnavailable`)."""
        return Session(self.command)

    def check(self) -> None:
        """Start and stop one runner: raises :class:`SandboxUnavailable` if that fails."""
        self.start().close()


class Session:
    """One sandboxed runner process and the line protocol with it."""

    def __init__(self, command: list[str]) -> None:
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            os.set_blocking(stream.fileno(), False)
        self._buffer = b""
        self._received = 0
        self.deadline = time.monotonic() + STARTUP_SECONDS
        try:
            ready = self.receive()
        except (SessionTimeout, SessionEnded, MalformedData) as exc:
            detail = self._stderr() or f"{type(exc).__name__}"
            self.close()
            raise SandboxUnavailable(f"the sandbox did not start: {detail}") from None
        if ready.get("event") != "ready":
            self.close()
            raise SandboxUnavailable(f"the sandbox's runner sent {ready!r} instead of 'ready'")
        # From here on the runner's stderr is /dev/null: nothing more will come from it.

    @property
    def pid(self) -> int:
        """The host's process id of the sandbox's outermost process (bwrap)."""
        return self._process.pid

    def start_clock(self, seconds: float) -> None:
        """Give the submission ``seconds`` from now for everything that follows."""
        self.deadline = time.monotonic() + seconds

    def send(self, message: dict) -> None:
        """Write one message, or raise :class:`SessionTimeout` / :class:`SessionEnded`."""
        data = memoryview(dumps(message))
        fd = self._process.stdin.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_WRITE)
            while data:
                if not selector.select(self._remaining()):
                    raise SessionTimeout
                try:
                    data = data[os.write(fd, data):]
                except BlockingIOError:
                    continue
                except BrokenPipeError:
                    raise SessionEnded(self._wait()) from None

    def receive(self) -> dict:
        """The next message; :class:`SessionTimeout`, :class:`SessionEnded` or :class:`MalformedData`."""
        fd = self._process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if not selector.select(self._remaining()):
                    raise SessionTimeout
                try:
                    chunk = os.read(fd, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    raise SessionEnded(self._wait())
                self._received += len(chunk)
                if self._received > MAX_REPLY_BYTES:
                    raise MalformedData(f"more than {MAX_REPLY_BYTES >> 20} MiB of replies")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return loads(line)

    def close(self) -> None:
        """Kill the sandbox (all of it: bwrap takes its PID namespace down with it)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            with contextlib.suppress(OSError):
                stream.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def _wait(self) -> int | None:
        """The exit status once the process has ended (it has closed its stdout), or ``None``."""
        try:
            return self._process.wait(timeout=max(0.2, min(1.0, self._remaining())))
        except subprocess.TimeoutExpired:
            return None

    def _stderr(self) -> str:
        with contextlib.suppress(OSError, TypeError):
            return (os.read(self._process.stderr.fileno(), 4000) or b"").decode(errors="replace").strip()
        return ""


def _python_path() -> Path:
    """This interpreter, reached through its virtual environment so that the venv is used."""
    prefix = Path(os.path.realpath(sys.prefix))
    try:
        return prefix / Path(sys.executable).relative_to(sys.prefix)
    except ValueError:
        return Path(os.path.realpath(sys.executable))


def _visible_paths(python: Path) -> list[Path]:
    """The host directories the sandbox sees, read-only: system files, Python, actlab."""
    wanted = [Path("/usr"), Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
              Path(sys.base_exec_prefix), python.parent, Path(os.path.realpath(sys.executable)).parent,
              Path(actlab.__file__).parent]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        top = Path("/") / name
        if top.is_dir() and not top.is_symlink():
            wanted.append(top)
    real = sorted({Path(os.path.realpath(p)) for p in wanted if p.exists()})
    # A directory inside another visible one is visible already.
    return [p for p in real if not any(p != q and p.is_relative_to(q) for q in real)]
