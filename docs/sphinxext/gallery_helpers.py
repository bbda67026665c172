"""Gallery settings that conf.py names by dotted path (so Sphinx can cache the configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx_gallery.scrapers import matplotlib_scraper

# Command-line arguments for the examples whose defaults take minutes: the same
# code on fewer seeds or a smaller budget, so the whole build fits CI's time.
# Examples not listed here run with their own defaults.
QUICK = {
    "compare_strategies.py": ["--quick"],
    "compare_batch_strategies.py": ["--seeds", "1"],
    "text_classification.py": ["--quick"],
    "mixed_table.py": ["--quick"],
    "image_embeddings.py": ["--quick"],
    # The tutorial's 500 points and 3000 MLP epochs take minutes; 260 points keep its iterations 1, 12, 24.
    "plot_introduction_active_learning.py": ["--n-samples", "260", "--max-epochs", "300"],
}


def quick_arguments(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """``sys.argv[1:]`` for an example run by the gallery (sphinx-gallery's ``reset_argv``).

    Files an example writes go under the gallery's output folder (``--out``), never into the source tree.
    """
    name = Path(script_vars["src_file"]).name
    arguments = list(QUICK.get(name, []))
    if name == "plot_introduction_active_learning.py":
        arguments += ["--out", str(Path(script_vars["target_file"]).parent / "_output" / Path(name).stem)]
    return arguments


def tight_matplotlib_scraper(
    block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any], **kwargs: Any
) -> str:
    """sphinx-gallery's matplotlib scraper, saving each figure with a tight bounding box (no clipped labels)."""
    kwargs.setdefault("bbox_inches", "tight")
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
