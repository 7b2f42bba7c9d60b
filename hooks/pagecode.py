"""The Python code of a page, exactly as the site shows it: read by the tests and the build.

Blocks are found by pytest-codeblocks' extractor, whatever their fence attributes (`title=`,
`hl_lines=`...); their `--8<--` includes are expanded by pymdown's own Snippets preprocessor,
configured from mkdocs.yml. A page's blocks run top to bottom in one namespace, like a notebook.

What a block prints is written under it as `#>` comment lines (or in a following
`<!--pytest-codeblocks:expected-output-->` block); a block meant to raise ends with
`#> ErrorType: message`. `<!--pytest.mark.skip(reason="...")-->` before a block skips it in the
tests, and the build shows the reason on the page (this module is also an MkDocs hook for that).

Pages on MNIST print numbers that hold for the full dataset. `<!--data-dependent-->` above a block
says its output depends on the data: when the loader fell back to its offline sample, such a block
still runs (and must not raise) but its output is not compared. `<!--data-note-->` on a page is
replaced, at build time, by a line naming the data used for this build (a warning for the sample),
and the build log names it too.
"""

from __future__ import annotations

import contextlib
import io
import re
import traceback
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
from mkdocs.config import load_config
from pytest_codeblocks import extract_from_buffer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = {"python", "py", "python3", "pycon"}
SKIP = re.compile(r"""<!--\s*pytest\.mark\.skip\(reason=(?P<q>["'])(?P<reason>.+?)(?P=q)\)\s*-->""")
TILDE_FENCE = re.compile(r"^\s*~~~", re.MULTILINE)
DATA_DEPENDENT = "<!--data-dependent-->"
DATA_NOTE = "<!--data-note-->"


@dataclass
class Block:
    page: str  # path from the project root, e.g. docs/perceptron.md
    lineno: int  # line of the opening fence in the page
    code: str  # the code with includes expanded: what the reader sees
    expected: str  # the output the page shows for it
    skip: str | None = None  # the reason, when the tests must not run it
    data_dependent: bool = False  # its output holds for full MNIST only: not compared on the sample

    @property
    def id(self) -> str:
        return f"{self.page}:{self.lineno}"


@cache
def _snippets():
    config = load_config(str(ROOT / "mkdocs.yml"))
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": config.mdx_configs["pymdownx.snippets"]},
    )
    return md.preprocessors["snippet"]


def expand(code: str) -> str:
    """The code with every `--8<--` include replaced by what it includes."""
    return "\n".join(_snippets().run(code.splitlines())) + "\n"


def language(syntax: str | None) -> str:
    """The fence's language: `python title="a.py"` and `{ .python hl_lines="2" }` are both python."""
    words = (syntax or "").strip("{} ").split()
    return words[0].lstrip(".").lower() if words else ""


def expected_output(code: str) -> str:
    lines = [line.strip() for line in code.splitlines() if line.strip().startswith("#>")]
    return "\n".join(line[3:] if line.startswith("#> ") else line[2:] for line in lines)


def python_blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    if TILDE_FENCE.search(text):
        raise ValueError(f"{page}: use ``` fences; ~~~ fences are not collected by the tests")
    lines = text.splitlines()
    blocks = []
    for found in extract_from_buffer(io.StringIO(text)):
        if language(found.syntax) not in PYTHON:
            continue
        code = expand(found.code)
        skip = None
        for mark in found.marks:
            match = SKIP.fullmatch(f"<!--{mark}-->")
            if not match:
                raise ValueError(
                    f"{page}:{found.lineno}: unsupported mark {mark!r}; "
                    'only pytest.mark.skip(reason="...") is allowed, and the reason is shown on the page'
                )
            skip = match["reason"]
        expected = expected_output(code)
        if found.expected_output is not None:
            expected = "\n".join(filter(None, [expected, found.expected_output.rstrip("\n")]))
        block = Block(str(page.relative_to(ROOT)), found.lineno, code, expected, skip)
        block.data_dependent = DATA_DEPENDENT in _comments_above(lines, found.lineno)
        blocks.append(block)
    return blocks


def _comments_above(lines: list[str], lineno: int) -> list[str]:
    """The HTML comment lines right above the fence on line `lineno` (blank lines between them allowed)."""
    comments = []
    for line in reversed(lines[: lineno - 1]):
        if line.strip().startswith("<!--"):
            comments.append(line.strip())
        elif line.strip():
            break
    return comments


def data_is_sample() -> bool:
    """Whether this process loaded the offline MNIST sample rather than the full data."""
    import sys

    loader = sys.modules.get("snippets.mnist_data")
    return loader is not None and loader.loaded_source() == "sample"


def run(block: Block, namespace: dict) -> str:
    """Execute the block in the page's namespace; return what it printed, warned and raised."""
    output = io.StringIO()

    def show_warning(message, category, filename, lineno, file=None, line=None):
        print(f"{category.__name__}: {message}", file=output)

    with contextlib.redirect_stdout(output), warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show_warning
        try:
            exec(compile(block.code, f"<{block.id}>", "exec", dont_inherit=True), namespace)
        except Exception as error:  # a block meant to raise shows the error as its last output
            if not block.expected.rstrip().endswith(f"{type(error).__name__}: {error}".rstrip()):
                raise BlockError(block, output.getvalue(), traceback.format_exc()) from None
            print(f"{type(error).__name__}: {error}")
    return "\n".join(line.rstrip() for line in output.getvalue().rstrip().splitlines())


class BlockError(Exception):
    def __init__(self, block: Block, printed: str, trace: str):
        super().__init__(
            f"the block at {block.id} raised unexpectedly\n--- it printed:\n{printed}--- traceback:\n{trace}"
        )


def on_page_markdown(markdown_text, page, config, files):
    """Check the page's includes; show each skipped block's reason on the page, right above the block."""
    _check_includes(markdown_text, page.file.src_uri)
    if DATA_NOTE in markdown_text:
        note, sample = _data_note(page.file.src_uri)
        markdown_text = markdown_text.replace(DATA_NOTE, note)
        if sample:
            shown = '<p class="nn-skip">Prints what full MNIST gives; the sample used here gives other numbers.</p>'
            markdown_text = markdown_text.replace(DATA_DEPENDENT, shown)
    return SKIP.sub(
        lambda m: f'<p class="nn-skip" markdown="span">Not run by the tests: {m["reason"]}</p>\n', markdown_text
    )


def _data_note(src_uri: str) -> tuple[str, bool]:
    """Load MNIST as the page will (fresh module, so `mkdocs serve` sees new files); say which data it is."""
    import importlib
    import logging
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    loader = importlib.reload(importlib.import_module("snippets.mnist_data"))
    data = loader.load_mnist()
    logging.getLogger("mkdocs.hooks.pagecode").info(f"{src_uri}: built with {data.describe()}")
    if data.source == "full":
        return f'<p class="nn-data" markdown="span">This page was built with {data.describe()}.</p>', False
    return (
        f'!!! warning "This build used the offline sample"\n    The page and its figures were built with '
        f"{data.describe()}. The numbers printed under the code are those of full MNIST; on the sample "
        "they differ (and the tests do not compare them). Set `NN_BASICS_DATA` to a folder with the four "
        "MNIST files, or connect to the internet, and build again.\n",
        True,
    )


def _check_includes(markdown_text: str, src_uri: str) -> None:
    """Fail the build naming the page, line and include when an included file or section is missing."""
    from mkdocs.exceptions import PluginError

    for lineno, line in enumerate(markdown_text.splitlines(), 1):
        if "--8<--" in line and not line.lstrip().startswith("# --8<--"):
            try:
                expand(line.strip())
            except Exception as error:
                raise PluginError(f"{src_uri}:{lineno}: {line.strip()}: {error}") from None


if __name__ == "__main__":  # print what each block of a page outputs: python hooks/pagecode.py docs/PAGE.md
    import sys

    namespace = {"__name__": "__main__"}
    for block in python_blocks(Path(sys.argv[1]).resolve()):
        print(f"--- {block.id}" + (f" (skipped: {block.skip})" if block.skip else ""))
        if not block.skip:
            print(run(block, namespace))
