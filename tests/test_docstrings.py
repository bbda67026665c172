"""Every public function and class of alfunc documents itself with an Examples section that pytest runs.

Public means: defined at module level, in the module being looked at, under a
name without a leading underscore. The examples run as doctests because
``pytest`` collects the package with ``--doctest-modules`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import alfunc

EXAMPLES = re.compile(r"^Examples\n-{8,}\n(?:.*\n)*?>>> ", re.MULTILINE)


def public_objects() -> list[tuple[str, object]]:
    """``(dotted name, object)`` of every public module-level function and class in alfunc."""
    found = []
    for module_info in pkgutil.walk_packages(alfunc.__path__, "alfunc."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for name, obj in vars(module).items():
            defined_here = getattr(obj, "__module__", None) == module.__name__
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) and defined_here:
                found.append((f"{module.__name__}.{name}", obj))
    return found


def has_examples(obj: object) -> bool:
    """True when the docstring has a numpydoc ``Examples`` section holding at least one ``>>>`` line."""
    return bool(EXAMPLES.search(inspect.getdoc(obj) or ""))


def test_every_public_function_and_class_has_examples():
    objects = public_objects()
    assert len(objects) > 150
    missing = [name for name, obj in objects if not has_examples(obj)]
    assert missing == [], f"{len(missing)} public objects without an Examples section: {missing}"


def test_the_examples_check_can_fail():
    def documented():
        """Do nothing.

        Examples
        --------
        >>> documented()
        """

    def prose_only():
        """Do nothing; for example ``prose_only()``."""

    def heading_without_code():
        """Do nothing.

        Examples
        --------
        Call it with no arguments.
        """

    assert has_examples(documented)
    assert not has_examples(prose_only)
    assert not has_examples(heading_without_code)
