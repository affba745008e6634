"""Batch grading of exercise notebooks: ``python -m actlab.grade SUBMISSIONS... --out grades.csv``.

Each submitted notebook's code runs in a bubblewrap sandbox (:mod:`~actlab.grade.sandbox`,
:mod:`~actlab.grade.runner`) that returns only plain data (:mod:`~actlab.grade.codec`);
the grader's own process judges that data against the visible and hidden cases
(:mod:`~actlab.grade.grading`, :mod:`~actlab.grade.exercises`) and writes a CSV and
feedback files (:mod:`~actlab.grade.report`). The command line is in :mod:`~actlab.grade.cli`.

This package is kept free of imports here because the sandbox imports its runner.
"""
