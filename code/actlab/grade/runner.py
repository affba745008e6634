"""The program that runs inside the sandbox: ``python -m actlab.grade.runner``.

It speaks one JSON message per line with the grader (see :mod:`actlab.grade.sandbox`):

1. it limits itself (memory, processes, file size, a first CPU-time budget) and says
   ``ready``;
2. it receives the exercise id, the notebook's code cells and its CPU-time budgets; it
   runs the cells in a fresh namespace (a cell that raises is recorded and the next one
   still runs) and says which cells failed and which questions' functions exist;
3. for each batch ``{"question": ..., "cases": [...]}`` it then receives, it calls that
   question's function through :meth:`Question.answer` and sends back each result as
   plain data, with a fresh CPU-time budget per batch.

Nothing here judges anything: a submission that rewrites this program, numpy or the
checks only changes the data it sends, and the grader judges that data itself. The
runner talks over private copies of stdin and stdout; what the submission prints goes to
``/dev/null``.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import os
import re
import resource
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    channel_in, channel_out = _private_channel()
    _limit(args)
    from actlab.checks.core import Case, Error  # imported under the limits, like everything after
    from actlab.grade.codec import decode, dumps, encode, loads

    def send(message: dict) -> None:
        channel_out.write(dumps(message))
        channel_out.flush()

    send({"event": "ready"})
    _silence_stderr()
    setup = loads(channel_in.readline())
    if not re.fullmatch(r"ex\d\d", setup["exercise"]):
        raise ValueError("bad exercise id")
    batch_cpu = int(setup["cpu_per_batch"])
    _cpu_budget(batch_cpu, total=int(setup["cpu_total"]))
    questions = importlib.import_module(f"actlab.checks.{setup['exercise']}").QUESTIONS
    namespace, cell_errors = _run_cells(setup["cells"])
    functions = {qid: namespace.get(q.function_name, _MISSING) for qid, q in questions.items()}
    send({"event": "loaded", "cell_errors": cell_errors,
          "functions": {qid: [_status(f), _type_name(f)] for qid, f in functions.items()}})
    for line in channel_in:
        batch = loads(line)
        _cpu_budget(batch_cpu)
        question, function = questions[batch["question"]], functions[batch["question"]]
        for args_data, kwargs_data in batch["cases"]:
            case = Case(tuple(decode(args_data)), dict(decode(kwargs_data)))
            send({"event": "result", "value": encode(_answer(question, function, case, Error, args.memory))})
    os._exit(0)  # without waiting for threads the submission may have left running


_MISSING = object()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m actlab.grade.runner")
    for name in ("memory", "cpu", "processes", "file-size"):
        parser.add_argument(f"--{name}", type=int, required=True)
    return parser.parse_args(argv)


def _private_channel():
    """Move the grader's pipes to private descriptors; fds 0 and 1 become /dev/null."""
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - replaces the interpreter's stdin for good
    return channel_in, channel_out


def _silence_stderr() -> None:
    """After ``ready`` nothing may reach the grader but protocol messages."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)


def _limit(args: argparse.Namespace) -> None:
    """Hard limits, set before any submitted code runs, so that it cannot raise them again."""
    for kind, value in [(resource.RLIMIT_AS, args.memory), (resource.RLIMIT_NPROC, args.processes),
                        (resource.RLIMIT_FSIZE, args.file_size), (resource.RLIMIT_CORE, 0)]:
        resource.setrlimit(kind, (value, value))
    # The hard cap on CPU time is lowered to the session's total once the set-up says it.
    resource.setrlimit(resource.RLIMIT_CPU, (args.cpu, resource.RLIM_INFINITY))


def _cpu_budget(seconds: int, total: int | None = None) -> None:
    """Allow ``seconds`` more CPU time (then SIGXCPU); with ``total``, cap the process's CPU time there too."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if total is not None and (hard == resource.RLIM_INFINITY or hard > spent + total):
        hard = spent + total  # lowered for good: an unprivileged process cannot raise it again
    soft = spent + seconds if hard == resource.RLIM_INFINITY else min(spent + seconds, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _run_cells(cells: list) -> tuple[dict, list]:
    """Run each ``[number, source]`` cell in one namespace; return it and the cells that raised."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    errors = []
    for number, source in cells:
        try:
            exec(compile(source, f"<cell {number}>", "exec"), namespace)  # noqa: S102 - sandboxed by design
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            errors.append([number, _type_name(exc), _message(exc)])
    return namespace, errors


def _status(function) -> str:
    return "missing" if function is _MISSING else "ok" if callable(function) else "not_callable"


def _answer(question, function, case, error_type, memory: int):
    """``question.answer``, with the exceptions it lets through turned into plain errors too."""
    try:
        result = question.answer(function, case)
    except BaseException as exc:  # noqa: BLE001 - e.g. sys.exit() inside the learner's function
        result = error_type(_type_name(exc), _message(exc))
    if isinstance(result, error_type) and result.type_name == "MemoryError" and not result.message:
        result = error_type("MemoryError", f"the {memory >> 20} MiB memory limit was reached")
    return result


def _type_name(value) -> str:
    try:
        return str(type(value).__name__)
    except BaseException:  # noqa: BLE001
        return "object"


def _message(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except BaseException:  # noqa: BLE001 - a learner's exception whose __str__ raises
        return ""


if __name__ == "__main__":
    main()
