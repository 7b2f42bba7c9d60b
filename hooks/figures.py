"""The figures a page shows, taken from the page's own run, in both palettes (used by hooks/notebooks.py).

A block that ends with a figure (`plot_loss(history)`) displays it in the run, as SVG in the light palette
(hooks/kernel.py). The page places it right after that block:

    ![What the image shows, for a reader who cannot see it](fig:loss "The caption.")

The k-th `fig:` image of a page is the k-th figure its run displayed, and it must stand between the block
that drew it and the next block. The dark version swaps each colour of the light palette for its dark
partner. Both are added to the site as `figures/PAGE/NAME.light.svg` and `.dark.svg`, never written to docs/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from pagecode import python_blocks

FIGURE_REF = re.compile(r'!\[(?P<alt>[^\]]*)\]\(fig:(?P<name>[\w-]+)(?:\s+"(?P<caption>[^"]*)")?\)')
DARK = {  # light palette colour -> dark palette colour (hooks/kernel.py draws with the light ones)
    "#212121": "#e0e0e0", "#424242": "#bdbdbd", "#bdbdbd": "#616161",  # text, axes, grid
    "#0072b2": "#56b4e9", "#d55e00": "#ff8f4d", "#009e73": "#3ed598", "#a36a00": "#f0c000",
    "#aa3377": "#f08cc8", "#8c510a": "#d9a066", "#6b7f00": "#c8dc50", "#616161": "#bdbdbd",
}
SIZE = re.compile(r'<svg [^>]*?width="(?P<width>[\d.]+)pt" height="(?P<height>[\d.]+)pt"')

def dark(svg: str) -> str:
    return re.sub(r"#[0-9a-f]{6}\b", lambda m: DARK.get(m[0], m[0]), svg)


def displayed(notebook) -> list[tuple[int, dict]]:
    """(block index, output) for every figure the run displayed, in order."""
    return [
        (index, output)
        for index, cell in enumerate(notebook.cells[1:])
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


def add_files(run, page, files, config) -> list[dict]:
    """Add the figures the page's run displayed to the site, light and dark; return them in order."""
    refs = list(FIGURE_REF.finditer(Path(page.abs_src_path).read_text(encoding="utf-8")))
    shown = displayed(run)
    if len(shown) != len(refs):
        raise PluginError(
            f"{page.src_uri}: its code displays {len(shown)} figures and the page places {len(refs)} "
            "(![alt](fig:NAME \"caption\") right after each block that ends with a figure)"
        )
    folder = PurePosixPath("figures") / PurePosixPath(page.src_uri).with_suffix("")
    figures = []
    for ref, (block, output) in zip(refs, shown):
        svg = output["data"]["image/svg+xml"]
        size = SIZE.search(svg)
        figure = {
            "block": block,
            "width": round(float(size["width"]) * 4 / 3),  # pt -> CSS px
            "height": round(float(size["height"]) * 4 / 3),
            "text_pt": output.get("metadata", {}).get("image/svg+xml", {}).get("smallest_text_pt"),
            "alt": ref["alt"],
            "light": f"{folder}/{ref['name']}.light.svg",
            "dark": f"{folder}/{ref['name']}.dark.svg",
        }
        files.append(File.generated(config, figure["light"], content=svg))
        files.append(File.generated(config, figure["dark"], content=dark(svg)))
        figures.append(figure)
    return figures


def place(markdown: str, page, figures: list[dict]) -> str:
    """Each `![alt](fig:NAME "caption")` of the page as its figure, checked to stand after its block."""
    fences = [b.lineno for b in python_blocks(Path(page.file.abs_src_path))] + [float("inf")]
    page_dir = PurePosixPath(page.file.src_uri).parent
    refs = iter(figures)

    def figure_html(ref: re.Match) -> str:
        figure = next(refs)
        line = markdown.count("\n", 0, ref.start()) + 1
        if not fences[figure["block"]] < line < fences[figure["block"] + 1]:
            raise PluginError(
                f"{page.file.src_uri}:{line}: fig:{ref['name']} is figure {figures.index(figure) + 1} of the page's "
                f"run, drawn by the block at line {fences[figure['block']]}: place it right after that block"
            )
        size = f'width="{figure["width"]}" height="{figure["height"]}"'
        text = f' data-text-pt="{figure["text_pt"] or 0}"'  # the smallest text, in points (0: no text)
        images = "\n".join(
            f"![{ref['alt']}]({os.path.relpath(figure[theme], page_dir)}#only-{theme}){{ {size}{text} loading=lazy }}"
            for theme in ("light", "dark")
        )
        caption = ref["caption"] or ref["alt"]
        return f'<figure class="nn-figure" markdown="span">\n{images}\n<figcaption>{caption}</figcaption>\n</figure>'

    return FIGURE_REF.sub(figure_html, markdown)
