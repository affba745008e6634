"""The sandbox, probed from inside: what submitted code can see, reach and use.

Each probe is a notebook cell run by the real runner in the real sandbox; it defines
exercise 1's ``step`` so that calling it returns what the probe found, as plain data.
"""

import os
import textwrap
import time
from pathlib import Path

import pytest

from actlab.checks import ex01
from actlab.grade import codec
from actlab.grade.sandbox import SANDBOX_UID, Limits, Sandbox, SessionTimeout

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(seconds=8, memory=512 << 20, scratch=16 << 20, processes=16)
CPU_TOTAL = 30

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox():
    return Sandbox(LIMITS)


def probe(sandbox: Sandbox, code: str, processes: set | None = None):
    """Run ``code`` (which sets ``found``) in the sandbox and return ``found``.

    ``processes``, if given, receives the host pids of the sandbox's processes before it is closed.
    """
    cell = textwrap.dedent(code) + "\n\ndef step(*args, **kwargs):\n    return found\n"
    with sandbox.start() as session:
        session.start_clock(LIMITS.seconds)
        session.send(_setup([[1, cell]]))
        loaded = session.receive()
        assert loaded["cell_errors"] == [], loaded
        case = ex01.step.cases[0]
        session.send({"question": "q1", "cases": [[codec.encode(case.args), codec.encode(case.kwargs)]]})
        found = codec.decode(session.receive()["value"])
        if processes is not None:
            processes |= _descendants(session.pid)
    return found


def _setup(cells: list) -> dict:
    return {"exercise": "ex01", "cells": cells, "cpu_per_batch": LIMITS.cpu_seconds, "cpu_total": CPU_TOTAL}


def _descendants(root: int) -> set[int]:
    """The host pids of ``root``'s descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass  # a process that ended meanwhile
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _assert_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def test_it_runs_unprivileged(sandbox):
    found = probe(sandbox, """
        import os
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
        nested = subprocess.run(["unshare", "--user", "--map-root-user", "true"], capture_output=True)
        found = [os.getuid(), os.getgid(), os.getgroups(), status["CapEff"].strip(), status["NoNewPrivs"].strip(),
                 nested.returncode, open("/proc/self/uid_map").read().split()[:2]]
    """.replace("import os", "import os, subprocess"))
    assert found[:4] == [SANDBOX_UID, SANDBOX_UID, [], "0000000000000000"]
    assert found[5] != 0  # no user namespace of its own, where it would be root
    if os.geteuid() == 0:
        assert found[4] == "1" and found[6] == [str(SANDBOX_UID)] * 2  # nobody to the kernel too, not a mapped root


def test_the_course_files_and_other_submissions_are_not_there(sandbox):
    targets = [ROOT / "exercises" / "01_perceptron.ipynb", ROOT / "exercises" / "hidden" / "ex01.py",
               ROOT / "tests" / "grading_corpus" / "submissions" / "reference" / "01_perceptron.ipynb",
               ROOT / "README.md", Path("/etc/passwd"), Path("/proc/1/environ"),
               Path("/proc/1/root") / "etc" / "hostname"]
    found = probe(sandbox, f"""
        import os
        found = []
        for path in {[str(t) for t in targets]!r}:
            try:
                open(path).read(1)
                found.append(path)
            except OSError:
                pass
        found = [found, sorted(os.listdir({str(ROOT)!r}))]
    """)
    readable, listing = found
    assert readable == []
    assert set(listing) <= {".venv", "code"}, listing  # only what Python needs to run


def test_everything_but_the_scratch_directory_is_read_only(sandbox):
    found = probe(sandbox, f"""
        import os
        found = {{"cwd": os.getcwd()}}
        for path in [{str(ROOT / "code" / "actlab" / "checks" / "core.py")!r}, "/usr/new",
                     {str(ROOT / ".venv" / "x")!r}]:
            try:
                open(path, "a").close()
                found[path] = "written"
            except OSError as exc:
                found[path] = type(exc).__name__
        with open("scratch.txt", "w") as stream:
            stream.write("fine")
        found["scratch"] = open("/tmp/scratch.txt").read()
    """)
    assert found.pop("cwd") == "/tmp" and found.pop("scratch") == "fine"
    assert "written" not in found.values(), found


def test_there_is_no_network(sandbox):
    found = probe(sandbox, """
        import socket
        found = {"interfaces": [name for _, name in socket.if_nameindex()]}
        for host, port in [("1.1.1.1", 53), ("pypi.org", 443)]:
            try:
                socket.create_connection((host, port), timeout=2).close()
                found[host] = "connected"
            except OSError as exc:
                found[host] = type(exc).__name__
    """)
    assert found.pop("interfaces") == ["lo"]
    assert "connected" not in found.values(), found


def test_it_sees_only_its_own_processes_and_environment(sandbox):
    found = probe(sandbox, """
        import os
        found = [sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), sorted(os.environ)]
    """)
    processes, environment = found
    assert len(processes) <= 4 and max(processes) < 10, processes  # bwrap's and the runner, nothing else
    assert set(environment) <= {"PATH", "HOME", "TMPDIR", "LANG", "PYTHONHASHSEED", "ACTLAB_STATIC", "MPLBACKEND",
                                "MPLCONFIGDIR", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                "LC_CTYPE", "PWD", "PYTHONPATH"}


def test_the_limits_are_set_and_hold(sandbox):
    processes: set[int] = set()
    found = probe(sandbox, """
        import resource
        found = {name: list(resource.getrlimit(getattr(resource, name)))
                 for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE")}
        try:
            hog = bytearray(600 << 20)
            found["memory"] = "allocated"
        except MemoryError:
            found["memory"] = "MemoryError"
        try:
            with open("big", "wb") as stream:
                stream.write(bytes(20 << 20))
            found["disk"] = "written"
        except OSError as exc:
            found["disk"] = type(exc).__name__
        children = 0
        try:
            for _ in range(100):
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                children += 1
        except OSError:
            pass
        found["children"] = children
    """.replace("import resource", "import os, resource, time"), processes)
    soft, hard = found["RLIMIT_CPU"]  # counted from the CPU time already used, a second or two
    assert LIMITS.cpu_seconds < soft <= LIMITS.cpu_seconds + 3 and CPU_TOTAL < hard <= CPU_TOTAL + 3
    assert found["RLIMIT_AS"] == [LIMITS.memory] * 2
    assert found["RLIMIT_NPROC"] == [LIMITS.processes] * 2
    assert found["RLIMIT_FSIZE"] == [LIMITS.scratch] * 2
    assert found["memory"] == "MemoryError"
    assert found["disk"] == "OSError"
    assert found["children"] < LIMITS.processes
    assert len(processes) > found["children"]  # the sleeping children were there...
    _assert_gone(processes)  # ...and closing the sandbox ended them


def test_a_timeout_kills_the_whole_sandbox(sandbox):
    limits = Limits(seconds=1.5, memory=512 << 20)
    looping = "import os\nif os.fork() == 0:\n    while True: pass\n\ndef step(x, at_zero=1.0):\n    while True: pass\n"
    started = time.monotonic()
    with Sandbox(limits).start() as session:
        session.start_clock(limits.seconds)
        session.send(_setup([[1, looping]]))
        session.receive()
        session.send({"question": "q1", "cases": [[codec.encode((1.0,)), codec.encode({})]]})
        with pytest.raises(SessionTimeout):
            session.receive()
        processes = _descendants(session.pid)
    assert time.monotonic() - started < limits.seconds + 5
    assert len(processes) >= 3  # the runner and the child it forked, both spinning, at least
    _assert_gone(processes)


def test_the_sandbox_can_tell_what_it_exposes(sandbox):
    assert sandbox.exposes(ROOT / "code" / "actlab" / "checks" / "ex01.py")
    assert not sandbox.exposes(ROOT / "exercises" / "hidden" / "ex01.py")
    assert not sandbox.exposes(ROOT / "tests" / "grading_corpus")
