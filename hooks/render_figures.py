"""Draw figures from `snippets` functions; run by hooks/figures.py in a fresh process.

usage: python render_figures.py PROJECT_ROOT MODULE.FUNCTION:FORMAT:OUTPUT_STEM ...

Each function is called once per palette, under that palette's colours, and saved as
OUTPUT_STEM.light.FORMAT and OUTPUT_STEM.dark.FORMAT with no date in the metadata, so that two
builds give the same bytes. Every figure is tried; any failure is reported by name and the exit
status is 1.
"""

import importlib
import os
import random
import sys
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

COMMON = {
    "svg.hashsalt": "nn-basics",
    "svg.fonttype": "path",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.transparent": True,
    "legend.framealpha": 0.0,
    "font.size": 11,
}
PALETTES = {
    "light": {
        "text.color": "#212121",
        "axes.labelcolor": "#212121",
        "axes.edgecolor": "#424242",
        "xtick.color": "#424242",
        "ytick.color": "#424242",
        "grid.color": "#bdbdbd",
        "axes.prop_cycle": matplotlib.cycler(
            color=["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        ),
    },
    "dark": {
        "text.color": "#e0e0e0",
        "axes.labelcolor": "#e0e0e0",
        "axes.edgecolor": "#bdbdbd",
        "xtick.color": "#bdbdbd",
        "ytick.color": "#bdbdbd",
        "grid.color": "#616161",
        "axes.prop_cycle": matplotlib.cycler(
            color=["#64b5f6", "#ff8a80", "#81c784", "#ffb74d", "#ce93d8", "#bcaaa4", "#f48fb1", "#e0e0e0"]
        ),
    },
}
METADATA = {"svg": {"Date": None}, "png": {"Software": None}}


def draw(name: str, fmt: str, stem: str) -> None:
    module_name, function_name = name.split(".")
    module = importlib.import_module(f"snippets.{module_name}")
    function = getattr(module, function_name, None)
    if function is None:
        raise LookupError(f"snippets/{module_name}.py has no function {function_name!r}")
    for palette, colours in PALETTES.items():
        random.seed(0)
        np.random.seed(0)
        torch.manual_seed(0)
        with plt.rc_context({**COMMON, **colours}):
            figure = function()
            if not isinstance(figure, Figure):
                raise TypeError(f"{name}() returned {type(figure).__name__}, not a matplotlib Figure")
            path = Path(f"{stem}.{palette}.{fmt}")
            partial = path.with_suffix(".partial")
            figure.savefig(partial, format=fmt, metadata=METADATA[fmt])
            os.replace(partial, path)
        plt.close(figure)


def main(root: str, jobs: list[str]) -> int:
    sys.path.insert(0, root)
    failures = []
    for job in jobs:
        name, fmt, stem = job.split(":", 2)
        start = time.perf_counter()
        try:
            draw(name, fmt, stem)
        except Exception as error:
            detail = "".join(traceback.format_exception(error)[-6:])
            failures.append(f"figure 'fig:{name}' failed: {type(error).__name__}: {error}\n{detail}")
            continue
        print(f"figure fig:{name} drawn in {time.perf_counter() - start:.1f} s")
    print("\n".join(failures), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
