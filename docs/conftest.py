"""pytest collects the ``.rst`` pages of the user guide as doctests (``--doctest-glob``), not the build's output."""

collect_ignore_glob = ["*.py", "_build/*", "auto_examples/*", "generated/*"]
