"""Grading one submission: its code run in a sandbox, its results judged in the grader's process.

A sandbox runs the notebook's code cells, then calls each question's function on the
visible cases, then on the hidden cases, and sends back plain data. The grader judges
every result itself with :meth:`Question.judge`, so nothing the submission did inside
the sandbox can change a score. Each question has its own time limit: a question that
times out or crashes the sandbox scores only what it answered before, and a fresh
sandbox carries on with the next question.

Hidden cases stay secret because of the order of the conversation: every piece of text
that feedback shows (a cell's error, a visible case's result) is received before the
first hidden case is sent, and nothing received afterwards is shown except a fixed
category per hidden case ("returned a wrong result", "raised an exception", ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from actlab.checks.core import Case, CaseResult, Error, Question, Warned
from actlab.grade import codec
from actlab.grade.codec import MalformedData, clean_text
from actlab.grade.exercises import Catalog, Exercise, ExerciseError
from actlab.grade.notebooks import NotebookError, code_cells, exercise_of, read_notebook
from actlab.grade.sandbox import Sandbox, SandboxUnavailable, Session, SessionEnded, SessionTimeout
from actlab.grade.submissions import Submission

__all__ = ["QuestionGrade", "SubmissionGrade", "grade_submission"]

#: Longest message kept in the CSV.
MAX_MESSAGE = 500


@dataclass(frozen=True)
class QuestionGrade:
    """One row of the grades: what a submission earned on one question, and why."""

    question: str
    points: float
    max_points: float
    status: str  #: passed, partial, failed, unanswered, missing, timeout, crashed, invalid or error
    message: str  #: one line for the CSV
    report: str  #: the verdict as the feedback file shows it


@dataclass(frozen=True)
class SubmissionGrade:
    submission: Submission
    exercise: str  #: the exercise id, or "" when it could not be told
    questions: tuple[QuestionGrade, ...]
    notes: tuple[str, ...] = ()  #: about the notebook as a whole (cells that raised, unreadable file)
    grader_errors: tuple[str, ...] = ()  #: the grader's own failures, which set its exit status

    @property
    def points(self) -> float:
        return round(sum(q.points for q in self.questions), 2)

    @property
    def max_points(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)


def grade_submission(submission: Submission, catalog: Catalog, sandbox: Sandbox,
                     exercise_id: str | None = None) -> SubmissionGrade:
    """Grade every question of one notebook; nothing the notebook does makes this raise."""
    try:
        notebook, problem = read_notebook(submission.path), None
    except NotebookError as exc:
        notebook, problem = None, f"The notebook could not be read: {exc}."
    exercise_id = exercise_id or exercise_of(notebook, submission.path)
    try:
        exercise = catalog.get(exercise_id) if exercise_id else None
    except ExerciseError as exc:
        return _whole(submission, exercise_id, "error", f"The grader could not load the exercise: {exc}.", str(exc))
    if exercise is None:
        why = problem or (f"The notebook names exercise {exercise_id!r}, which has no checks."
                          if exercise_id else "The notebook does not say which exercise it is.")
        return _whole(submission, exercise_id, "invalid", why)
    if problem:
        grades = tuple(_failed(q, "invalid", problem.rstrip(".")) for q in exercise.questions)
        return SubmissionGrade(submission, exercise.id, grades, notes=(problem,))
    return _SubmissionRun(submission, exercise, code_cells(notebook), sandbox).grade()


# -- running ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Failure:
    kind: str  #: "timeout", "crashed", "malformed" or "error" (the grader's)
    phase: str  #: "load", "visible" or "hidden"
    index: int = 0  #: the case it happened on, counted within its phase
    detail: str = ""

    @classmethod
    def of(cls, exc: Exception, phase: str, index: int) -> _Failure:
        if isinstance(exc, SessionTimeout):
            return cls("timeout", phase, index)
        if isinstance(exc, SessionEnded):
            if exc.signal_name == "SIGXCPU":  # the CPU-time backstop
                return cls("timeout", phase, index)
            how = (f"was killed by {exc.signal_name}" if exc.signal_name
                   else "stopped answering" if exc.returncode is None else f"ended with exit status {exc.returncode}")
            return cls("crashed", phase, index, how)
        return cls("malformed", phase, index)


@dataclass
class _Run:
    """What came back for one question, from one or more sessions."""

    function: str = "missing"  #: "ok", "missing" or "not_callable"
    function_type: str = ""
    first_cell_error: tuple | None = None  #: (cell number, type, message), for a missing function's message
    visible: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    failure: _Failure | None = None


class _SubmissionRun:
    """The questions of one notebook, answered in as few sandboxes as possible.

    One sandbox runs the notebook's cells once and then answers batches of cases: every
    question's visible cases first, then every question's hidden cases. A batch that
    times out or crashes stops that question and that sandbox; a new sandbox takes the
    remaining batches, in the same order, so no text is ever received after a hidden
    case was sent and then shown.
    """

    def __init__(self, submission: Submission, exercise: Exercise, cells: list, sandbox: Sandbox) -> None:
        self.submission, self.exercise, self.cells, self.sandbox = submission, exercise, cells, sandbox
        self.runs = {q.qid: _Run() for q in exercise.questions}
        self.notes: tuple[str, ...] = ()
        self.loaded = False

    def grade(self) -> SubmissionGrade:
        questions = self.exercise.questions
        pending = [("visible", q) for q in questions]
        pending += [("hidden", q) for q in questions if self.exercise.hidden_cases(q)]
        while pending:
            self._session(pending)
        errors, grades = [], []
        for question in questions:
            broken_checks: list[str] = []
            grade = _judge(question, self.runs[question.qid], self.exercise.hidden_cases(question),
                           self.sandbox.limits.seconds, broken_checks)
            if grade.status == "error":
                errors.append(f"{self.submission.label} {question.qid}: {grade.message}")
            errors += [f"{self.submission.label} {question.qid}: {b}" for b in broken_checks]
            grades.append(grade)
        return SubmissionGrade(self.submission, self.exercise.id, tuple(grades), self.notes, tuple(errors))

    def _session(self, pending: list) -> None:
        """One sandbox: run the cells, then answer batches from ``pending`` until done or stopped."""
        try:
            session = self.sandbox.start()
        except SandboxUnavailable as exc:
            self._stop_all(pending, exc)
            return
        with session:
            limits = self.sandbox.limits
            session.start_clock(limits.seconds)
            try:
                session.send({"exercise": self.exercise.id, "cells": self.cells, "cpu_per_batch": limits.cpu_seconds,
                              "cpu_total": limits.cpu_seconds * (len(pending) + 1)})
                self._load(session.receive())
            except (SessionTimeout, SessionEnded, MalformedData) as exc:
                self._stop_all(pending, exc)  # the cells themselves failed: they would fail again
                return
            self.loaded = True
            while pending:
                phase, question = pending.pop(0)
                run = self.runs[question.qid]
                if run.function != "ok" or run.failure:
                    continue
                cases = question.cases if phase == "visible" else self.exercise.hidden_cases(question)
                answers = run.visible if phase == "visible" else run.hidden
                session.start_clock(limits.seconds)
                try:
                    _answer(session, question.qid, cases, answers)
                except (SessionTimeout, SessionEnded, MalformedData) as exc:
                    run.failure = _Failure.of(exc, phase, len(answers))
                    return  # this sandbox is spent; the next one takes the rest of ``pending``

    def _load(self, message: dict) -> None:
        """Check the 'loaded' message; the first sandbox's also gives the notes and the functions."""
        errors, functions = message.get("cell_errors"), message.get("functions")
        if message.get("event") != "loaded" or not isinstance(errors, list) or not all(
            isinstance(e, list) and len(e) == 3 and type(e[0]) is int and all(type(x) is str for x in e[1:])
            for e in errors
        ) or not isinstance(functions, dict):
            raise MalformedData("not a 'loaded' message")
        if self.loaded:
            return
        cleaned = [(n, clean_text(t, 60), clean_text(m)) for n, t, m in errors]
        self.notes = tuple(f"Cell {n} raised {t}" + (f": {m}" if m else "") for n, t, m in cleaned)
        for qid, run in self.runs.items():
            status = functions.get(qid)
            if isinstance(status, list) and len(status) == 2 and status[0] in ("ok", "missing", "not_callable"):
                run.function, run.function_type = status[0], clean_text(str(status[1]), 60)
            run.first_cell_error = cleaned[0] if cleaned else None

    def _stop_all(self, pending: list, exc: Exception) -> None:
        """Every batch still pending fails the way this sandbox did."""
        for phase, question in pending:
            if isinstance(exc, SandboxUnavailable):
                failure = _Failure("error", "load", detail=str(exc))
            else:
                failure = _Failure.of(exc, phase if self.loaded else "load", 0)
            run = self.runs[question.qid]
            run.failure = run.failure or failure
        pending.clear()


def _answer(session: Session, qid: str, cases: Sequence[Case], answers: list) -> None:
    """Send one question's batch of cases and append the answers as they come."""
    session.send({"question": qid, "cases": [[codec.encode(c.args), codec.encode(c.kwargs)] for c in cases]})
    for _ in cases:
        message = session.receive()
        if message.get("event") != "result":
            raise MalformedData("not a result")
        answers.append(codec.decode(message.get("value")))


# -- judging ------------------------------------------------------------------------------

def _judge(question: Question, run: _Run, hidden: Sequence[Case], seconds: float,
           broken_checks: list[str]) -> QuestionGrade:
    """The grade for one question from what its run returned; check failures go to ``broken_checks``."""
    early = _unanswerable(question, run, seconds)
    if early:
        return early
    results = _case_results(question, run, hidden, seconds, broken_checks)
    verdict = question.verdict(results)
    answers = run.visible + run.hidden
    if run.failure:
        status = "timeout" if run.failure.kind == "timeout" else "crashed"
    elif verdict.passed:
        status = "passed"
    elif answers and all(isinstance(a, Error) and a.type_name == "NotImplementedError" for a in answers):
        status = "unanswered"
    else:
        status = "partial" if any(r.passed for r in results) else "failed"
    return QuestionGrade(question.qid, verdict.points, verdict.max_points, status,
                         _summary(results, len(question.cases), len(hidden)), verdict.report())


def _unanswerable(question: Question, run: _Run, seconds: float) -> QuestionGrade | None:
    """A zero for a question none of whose cases could be put: no sandbox, no cells, no function."""
    name, failure = question.function_name, run.failure
    if failure and failure.kind == "error":
        return _failed(question, "error", f"the grader could not start the sandbox: {failure.detail}")
    if failure and failure.phase == "load":
        return _failed(question, "timeout" if failure.kind == "timeout" else "crashed", {
            "timeout": f"the notebook's code did not finish within the {seconds:g} s time limit",
            "crashed": f"the process running the notebook {failure.detail} while running its cells",
            "malformed": "the process running the notebook sent a malformed reply while running its cells",
        }[failure.kind])
    if run.function == "missing":
        return _failed(question, "missing", _with_cell_error(f"{name} is not defined after running the notebook", run))
    if run.function == "not_callable":
        return _failed(question, "missing", f"{name} is not a function (it is a {run.function_type})")
    return None


def _case_results(question: Question, run: _Run, hidden: Sequence[Case], seconds: float,
                  broken_checks: list[str]) -> list[CaseResult]:
    """A result per visible then hidden case; the cases a failure left unanswered fail with it."""
    name, failure = question.function_name, run.failure
    results = [_judge_visible(question, case, got, broken_checks)
               for case, got in zip(question.cases, run.visible, strict=False)]  # fewer answers if it stopped
    for index in range(len(run.visible), len(question.cases)):
        stopped_here = failure and failure.phase == "visible" and index == failure.index
        what = _stopped(failure, seconds) if stopped_here else _NOT_RUN
        results.append(CaseResult(False, f"{question.cases[index].call_text(name)} {what}"))
    for index, case in enumerate(hidden):
        if index < len(run.hidden):
            results.append(_judge_hidden(question, (index, len(hidden)), case, run.hidden[index], broken_checks))
        else:
            stopped_here = failure and failure.phase == "hidden" and index == failure.index
            what = _stopped(failure, seconds, hidden=True) if stopped_here else _NOT_RUN
            results.append(CaseResult(False, _hidden_text(question, index, len(hidden), case, what)))
    return [CaseResult(r.passed, clean_text(r.message, MAX_MESSAGE)) for r in results]


_NOT_RUN = "was not run: an earlier test stopped the process"


def _stopped(failure: _Failure, seconds: float, hidden: bool = False) -> str:
    """How a case stopped the process; for a hidden case, without the exit status, which the code chose."""
    if failure.kind == "timeout":
        return f"did not finish within the {seconds:g} s time limit"
    if failure.kind == "crashed" and not hidden:
        return f"stopped the process running the notebook: it {failure.detail}"
    return "stopped the process running the notebook"


def _judge_visible(question: Question, case: Case, got, broken_checks: list[str]) -> CaseResult:
    try:
        return question.judge(case, got)
    except Exception as exc:  # noqa: BLE001 - a check that cannot cope with some plain value
        broken_checks.append(f"the check raised {type(exc).__name__} on a visible case")
        return CaseResult(False, f"{case.call_text(question.function_name)} could not be judged "
                                 f"(the check raised {type(exc).__name__})")


def _judge_hidden(question: Question, position: tuple[int, int], case: Case, got,
                  broken_checks: list[str]) -> CaseResult:
    """Judge hidden case ``position`` = (index, total); say only what kind of failure it was, never what the case is."""
    index, total = position
    try:
        passed = question.judge(case, got).passed
        right_but_warned = isinstance(got, Warned) and question.judge(case, got.value).passed
    except Exception as exc:  # noqa: BLE001 - reported without the check's message, which may quote the case
        broken_checks.append(f"the check raised {type(exc).__name__} on hidden case {index + 1}")
        return CaseResult(False, _hidden_text(question, index, total, case, "could not be judged"))
    if passed:
        what = "passes"
    elif isinstance(got, Error):
        what = ("raised NotImplementedError: not answered yet" if got.type_name == "NotImplementedError"
                else "raised an exception")
    elif isinstance(got, Warned):
        what = "returned the right value but warned; it must not warn" if right_but_warned \
            else "returned a wrong result, with a warning"
    else:
        what = "returned a wrong result"
    return CaseResult(passed, _hidden_text(question, index, total, case, what))


def _hidden_text(question: Question, index: int, total: int, case: Case, what: str) -> str:
    hint = f" ({case.hint})" if case.hint else ""
    return f"{question.function_name}(…) on hidden test {index + 1} of {total} {what}{hint}"


def _summary(results: list[CaseResult], visible: int, hidden: int) -> str:
    """The CSV's one line: how many tests fail, and the first failure."""
    failed_visible = sum(not r.passed for r in results[:visible])
    failed_hidden = sum(not r.passed for r in results[visible:])
    if not failed_visible and not failed_hidden:
        return f"all {visible} visible and {hidden} hidden tests pass" if hidden else f"all {visible} tests pass"
    counts = f"{failed_visible} of {visible} visible" + (f" and {failed_hidden} of {hidden} hidden" if hidden else "")
    first = next(r.message for r in results if not r.passed)
    return clean_text(f"{counts} tests fail; first: {first}", MAX_MESSAGE)


def _with_cell_error(message: str, run: _Run) -> str:
    if run.first_cell_error:
        number, type_name, text = run.first_cell_error
        message += f" (cell {number} raised {type_name}" + (f": {text})" if text else ")")
    return message


def _failed(question: Question, status: str, message: str) -> QuestionGrade:
    """A question that earns nothing, for one reason."""
    message = clean_text(message, MAX_MESSAGE)
    report = question.verdict([CaseResult(False, message)]).report()
    return QuestionGrade(question.qid, 0.0, question.points, status, message, report)


def _whole(submission: Submission, exercise_id: str | None, status: str, message: str,
           grader_error: str | None = None) -> SubmissionGrade:
    """The single row of a notebook whose questions cannot be listed."""
    row = QuestionGrade("", 0.0, 0.0, status, clean_text(message.rstrip("."), MAX_MESSAGE), message)
    return SubmissionGrade(submission, exercise_id or "", (row,), notes=(message,),
                           grader_errors=(grader_error,) if grader_error else ())
