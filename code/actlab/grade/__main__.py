"""``python -m actlab.grade``: see :mod:`actlab.grade.cli`."""

from actlab.grade.cli import main

raise SystemExit(main())
