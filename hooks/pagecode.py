"""The Python code of a page, exactly as the site shows it, and the output it must print.

Blocks are found by pytest-codeblocks' extractor, whatever their fence attributes (`title=`,
`hl_lines=`...); their `--8<--` includes are expanded by pymdown's own Snippets preprocessor,
configured from mkdocs.yml. What a block prints is written under it as `# >` lines (the form `ruff format`
keeps); a block meant to raise ends with `# > ErrorType: message`.

Marks, on the lines right above a block:
- `<!--pytest.mark.skip(reason="...")-->`: not run; the page shows the reason.
- `<!--tolerance rtol=0.01 atol=0.5-->`: numbers in its output may differ by that much (numbers
  that come from training); the page tells the reader. Other blocks use DEFAULT_TOLERANCE.
- `<!--data-dependent-->`: its output holds for full MNIST; on the offline sample it must run
  without error, but its output is not compared.
- `<!--exercise-->`: a reader's exercise, with `...` where the answer goes; it runs as it stands (the
  checker says "not answered yet").
- `<!--solution-->`: an exercise's solution; it runs like any block, the page shows it collapsed and the
  notebook leaves it out.

Text is compared exactly, numbers within the block's tolerance (pytest-doctestplus's FLOAT_CMP).
"""

from __future__ import annotations

import doctest
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
from mkdocs.config import load_config
from pymdownx.snippets import SnippetMissingError
from pytest_codeblocks import extract_from_buffer
from pytest_doctestplus.output_checker import FLOAT_CMP, OutputChecker

ROOT = Path(__file__).resolve().parent.parent
PYTHON = {"python", "py", "python3"}
DEFAULT_TOLERANCE = {"rtol": 1e-3, "atol": 0.0}  # float32 summation order moves digits far below this
SKIP = re.compile(r"""<!--\s*pytest\.mark\.skip\(reason=(?P<q>["'])(?P<reason>.+?)(?P=q)\)\s*-->""")
TOLERANCE = re.compile(r"<!--\s*tolerance(?P<values>(?:\s+[ra]tol=[0-9.e+-]+)+)\s*-->")
DATA_DEPENDENT = "<!--data-dependent-->"
EXERCISE, SOLUTION = "<!--exercise-->", "<!--solution-->"
RAISES = re.compile(r"^\w*(Error|Exception|Interrupt|Exit)\w*: ")


@dataclass
class Block:
    page: str  # path from the project root, e.g. docs/perceptron.md
    lineno: int  # line of the opening fence in the page
    code: str  # the code with includes expanded: what the reader sees
    expected: str  # the output the page shows for it
    skip: str | None = None  # the reason, when the tests must not run it
    data_dependent: bool = False  # its output holds for full MNIST only: not compared on the sample
    role: str = ""  # "exercise" or "solution", for the exercises at the end of a chapter
    tolerance: dict = field(default_factory=lambda: dict(DEFAULT_TOLERANCE))

    @property
    def id(self) -> str:
        return f"{self.page}:{self.lineno}"

    @property
    def raises(self) -> bool:
        return bool(self.expected) and bool(RAISES.match(self.expected.splitlines()[-1]))


_config = None  # the site's configuration: the build's own (hooks/notebooks.py sets it), else loaded once


def site_config():
    global _config
    if _config is None:
        _config = load_config(str(ROOT / "mkdocs.yml"))
    return _config


def use_config(config) -> None:
    global _config
    _config = config


@cache
def _snippets():
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": site_config().mdx_configs["pymdownx.snippets"]},
    )
    return md.preprocessors["snippet"]


def expand(code: str) -> str:
    """The code with every `--8<--` include replaced by what it includes."""
    return "\n".join(_snippets().run(code.splitlines())) + "\n"


def language(syntax: str | None) -> str:
    """The fence's language: `python title="a.py"` and `{ .python hl_lines="2" }` are both python."""
    words = (syntax or "").strip("{} ").split()
    return words[0].lstrip(".").lower() if words else ""


OUTPUT = "# >"  # the mark of a line of printed output


def is_output(line: str) -> bool:
    return line.strip().startswith(OUTPUT)


def expected_output(code: str) -> str:
    lines = [line.strip() for line in code.splitlines() if is_output(line)]
    return "\n".join(line[len(OUTPUT) + 1 :] for line in lines)


def python_blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    if re.search(r"^\s*~~~", text, re.MULTILINE):
        raise ValueError(f"{page}: use ``` fences; ~~~ fences are not collected by the tests")
    lines = text.splitlines()
    blocks = []
    for found in extract_from_buffer(io.StringIO(text)):
        if language(found.syntax) not in PYTHON:
            continue
        try:
            code = expand(found.code)
        except SnippetMissingError as error:  # a missing file or section: say where it is asked for
            raise ValueError(f"{page.relative_to(ROOT)}:{found.lineno}: {error}") from None
        block = Block(str(page.relative_to(ROOT)), found.lineno, code, expected_output(code))
        for mark in found.marks:
            match = SKIP.fullmatch(f"<!--{mark}-->")
            if not match:
                raise ValueError(f'{block.id}: unsupported mark {mark!r}; only pytest.mark.skip(reason="...")')
            block.skip = match["reason"]
        above = _comments_above(lines, found.lineno)
        block.data_dependent = DATA_DEPENDENT in above
        block.role = "exercise" if EXERCISE in above else "solution" if SOLUTION in above else ""
        for comment in above:
            if match := TOLERANCE.fullmatch(comment):
                block.tolerance.update(declared(match))
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


# Comparing ---------------------------------------------------------------------------------------


def _spaced(text: str) -> str:
    """FLOAT_CMP reads a number only when a separator follows it: `98.3%` and `lr 0.001:` become `98.3 %`."""
    return re.sub(r"(?<=\d)(?=[%:×])", " ", text)


def matches(block: Block, printed: str) -> bool:
    """Whether the printed output is what the page shows: text exactly, numbers within the tolerance."""
    checker = OutputChecker()
    checker.rtol, checker.atol = block.tolerance["rtol"], block.tolerance["atol"]
    return checker.check_output(_spaced(block.expected), _spaced(printed), FLOAT_CMP | doctest.DONT_ACCEPT_BLANKLINE)


def declared(mark: re.Match) -> dict:
    """The tolerance a `<!--tolerance ...-->` mark declares: {"rtol": ..., "atol": ...}, either or both."""
    return {key: float(value) for key, value in re.findall(r"(\w+)=(\S+)", mark["values"])}


def tolerance_note(mark: re.Match) -> str:
    """A `<!--tolerance ...-->` mark in a reader's words."""
    tolerance = declared(mark)
    parts = [f"±{tolerance['atol']:g}"] if "atol" in tolerance else []
    parts += [f"{tolerance['rtol'] * 100:g} % of their value"] if "rtol" in tolerance else []
    return "may differ by up to " + " plus ".join(parts)


def rewrite(block: Block, printed: str) -> None:
    """Write the printed output into the page's `# >` lines of the block (`--update-outputs`)."""
    page = ROOT / block.page
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    fence = lines[block.lineno - 1]
    indent = fence[: len(fence) - len(fence.lstrip())]
    end = next(n for n in range(block.lineno, len(lines)) if lines[n].strip().startswith("```"))
    shown = [n for n in range(block.lineno, end) if is_output(lines[n])]
    new = [f"{indent}{OUTPUT} {line}".rstrip() + "\n" for line in printed.splitlines()]
    if len(new) == len(shown):  # line for line, wherever each sits in the block
        for n, line in zip(shown, new):
            lines[n] = line
    elif shown == list(range(shown[0], shown[-1] + 1)) if shown else True:  # one group, or none: replace it
        at = shown[0] if shown else end
        lines[at : at + len(shown)] = new
    else:
        raise ValueError(
            f"{block.id}: the page shows {len(shown)} output lines in several places and the block printed "
            f"{len(new)}; place them by hand:\n{printed}"
        )
    page.write_text("".join(lines), encoding="utf-8")
