"""``python -m alfunc`` runs the ``alfunc`` command."""

from alfunc.cli import main

raise SystemExit(main())
