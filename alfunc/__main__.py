"""``python -m alfunc`` runs the ``alfunc`` command."""

from alfunc.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
