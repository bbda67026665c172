"""Sphinx configuration of alfunc's documentation.

Build it from the repository's root (see the README):

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery runs every ``examples/*.py`` headless (Agg) during the build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the alfunc of this checkout, installed or not
sys.path.insert(0, str(HERE / "sphinxext"))
os.environ.setdefault("MPLBACKEND", "Agg")
# The examples' fits are small: BLAS threads cost more than they give, and oversubscribe a shared CI machine.
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import alfunc  # noqa: E402

project = "alfunc"
author = "the alfunc developers"
copyright = "the alfunc developers"  # noqa: A001
release = alfunc.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "strategy_table",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb", "auto_examples/*.py"]
root_doc = "index"

# API reference: one page per public name, generated from its docstring.
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Gallery: every examples/*.py is run (not only plot_*.py), headless, in file-name order.
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": str(HERE / "auto_examples"),
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"(__init__|conftest)\.py$",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("gallery_helpers.tight_matplotlib_scraper",),
    "reset_argv": "gallery_helpers.quick_arguments",
    "reset_modules": ("matplotlib", "seaborn"),
    "download_all_examples": False,
    "plot_gallery": "True",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "capture_repr": (),
    "min_reported_time": 5,
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"alfunc {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []
html_show_sourcelink = False
