"""Run in the Jupyter kernel of every page's run, before its first block, by hooks/run.py.

It names nothing in the page's namespace (the run executes it with runpy); it only sets how outputs look:
figures in the light palette as SVG, warnings as `Category: message`, tracebacks in plain text.
"""

import io
import warnings

import matplotlib
from IPython import get_ipython
from matplotlib.figure import Figure
from matplotlib.text import Text

# The site's light palette. hooks/figures.py makes each figure's dark version by swapping these colours.
STYLE = {
    "svg.hashsalt": "nn-basics",  # the same bytes on every run
    "svg.fonttype": "path",
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.transparent": True,
    "legend.framealpha": 0.0,
    "font.size": 11.5,  # at 5 in wide, 11 px on a 390 px phone
    "text.color": "#212121",
    "axes.labelcolor": "#212121",
    "axes.edgecolor": "#424242",
    "xtick.color": "#424242",
    "ytick.color": "#424242",
    "grid.color": "#bdbdbd",
    "axes.prop_cycle": matplotlib.cycler(  # distinct hues, each at least 3:1 against white (and its dark partner
        color=["#0072b2", "#d55e00", "#009e73", "#a36a00", "#aa3377", "#8c510a", "#6b7f00", "#616161"]
    ),  # against the dark page): hooks/figures.py's DARK map
}


def svg(figure: Figure):
    """A figure as SVG, with the size of its smallest text for the browser tests."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    sizes = [t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return {"image/svg+xml": buffer.getvalue(), "text/plain": repr(figure)}, {
        "image/svg+xml": {"smallest_text_pt": min(sizes, default=None)}
    }


def show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"{category.__name__}: {message}")


matplotlib.rcParams.update(STYLE)
shell = get_ipython()
shell.display_formatter.formatters["image/png"].pop(Figure, None)  # `%matplotlib inline` adds a PNG copy
shell.display_formatter.mimebundle_formatter.for_type(Figure, svg)
shell.run_line_magic("xmode", "Plain")
warnings.showwarning = show_warning
