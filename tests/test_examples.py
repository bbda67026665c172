"""The property-testing example runs and shows the failure message of its broken strategy."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "property_test_a_custom_strategy.py"


def test_property_testing_example_prints_the_broken_property_and_its_example(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    printed = capsys.readouterr().out
    assert "closest_to_a_tie: every property holds" in printed
    assert "property 'deterministic' does not hold" in printed
    assert "failing example (shrunk):" in printed and "X = [[" in printed
