"""Every Python block of every page runs, in page order, in one namespace per page, as shown."""

from pathlib import Path

import pytest
from pagecode import ROOT, data_is_sample, python_blocks, run

PAGES = sorted((ROOT / "docs").glob("**/*.md"))
BLOCKS = {page: python_blocks(page) for page in PAGES}
_namespaces: dict[Path, dict] = {}
_done: dict[Path, int] = {}


def _run_up_to(page: Path, index: int) -> str:
    """Run the page's blocks before `index` (if not run yet), then block `index`; return its output."""
    namespace = _namespaces.setdefault(page, {"__name__": "__main__"})
    blocks = BLOCKS[page]
    while _done.get(page, 0) < index:
        earlier = blocks[_done.get(page, 0)]
        _done[page] = _done.get(page, 0) + 1
        if not earlier.skip:
            run(earlier, namespace)
    _done[page] = index + 1
    return run(blocks[index], namespace)


@pytest.mark.parametrize(
    "page, index",
    [pytest.param(page, i, id=block.id) for page, blocks in BLOCKS.items() for i, block in enumerate(blocks)],
)
def test_block(page, index):
    block = BLOCKS[page][index]
    if block.skip:
        pytest.skip(block.skip)
    output = _run_up_to(page, index)
    if block.data_dependent and data_is_sample():
        return  # it ran without raising; its numbers are full MNIST's (the sample's bars: tests/test_mnist.py)
    assert output == block.expected, f"the output differs from what {block.id} shows"


def test_every_page_has_its_code_collected():
    """A Python fence that the collector missed would never run: count them independently."""
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        fences = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("```")]
        opening = fences[::2]
        python = [n for n in opening if lines[n - 1].lstrip("` ").lstrip("{. ").startswith(("python", "py"))]
        assert [b.lineno for b in BLOCKS[page]] == python, page
