"""``.. strategy-table::``: a table of ``alfunc.STRATEGIES``, one row per registered name, from the docstrings.

The table is built when the docs are, so a strategy registered later appears without editing a page.
"""

from __future__ import annotations

import inspect
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


def first_paragraph(obj: Any) -> str:
    """The first paragraph of ``obj``'s docstring, on one line."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


class StrategyTable(SphinxDirective):
    """A list-table of every registered strategy name, what it is, and whether it picks a whole batch."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from alfunc import STRATEGIES
        from alfunc.strategies import selects_batch

        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 18 10 72",
            "",
            "   * - name",
            "     - kind",
            "     - method (from its docstring: ``help(alfunc.STRATEGIES[name])``)",
        ]
        for name, strategy in STRATEGIES.items():
            kind = "batch" if selects_batch(strategy) else "utility"
            lines += [f"   * - ``{name}``", f"     - {kind}", f"     - {first_paragraph(strategy)}"]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="strategy-table"), self.content_offset, container)
        return container.children


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("strategy-table", StrategyTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
