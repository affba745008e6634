"""Exercise checks: each exercise module holds its questions (see :mod:`actlab.checks.core`)."""

from actlab.checks.core import Case, CaseResult, Error, Question, Verdict

__all__ = ["Case", "CaseResult", "Error", "Question", "Verdict"]
