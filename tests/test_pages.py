"""Every Python block of every page prints what the page shows under it, in the page's one run.

The run (hooks/run.py) executes the page's blocks top to bottom in a Jupyter kernel, once, and is cached;
the build reads the same run. Text must match exactly, numbers within the block's tolerance.
"""

import difflib

import pytest
from pagecode import ROOT, matches, python_blocks
from run import page_run, printed

PAGES = sorted((ROOT / "docs").glob("**/*.md"))
BLOCKS = {page: python_blocks(page) for page in PAGES}


@pytest.mark.parametrize(
    "page, index",
    [pytest.param(page, i, id=block.id) for page, blocks in BLOCKS.items() for i, block in enumerate(blocks)],
)
def test_block(page, index, request):
    block = BLOCKS[page][index]
    if block.skip:
        pytest.skip(block.skip)
    run = page_run(page)
    stamp = run.metadata["nn_basics"]
    if stamp["failed"] is not None and index >= stamp["failed"]:
        first = BLOCKS[page][stamp["failed"]].id
        pytest.fail(f"{block.id} raised:\n{stamp['error']}" if first == block.id else f"not run: {first} raised", False)
    output = printed(run.cells[index + 1])
    if block.data_dependent and stamp["sample"]:
        return  # it ran without raising; its numbers are full MNIST's (the sample's bars: tests/test_mnist.py)
    if request.config.getoption("update_outputs"):
        if output != block.expected:
            request.config.__dict__.setdefault("nn_rewrites", []).append((block, output))
        return
    diff = "\n".join(difflib.unified_diff(block.expected.splitlines(), output.splitlines(), "page", "run", lineterm=""))
    assert matches(block, output), f"{block.id} printed other output (tolerance {block.tolerance}):\n{diff}"


def test_every_page_has_its_code_collected():
    """A Python fence that the collector missed would never run: count them independently."""
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        fences = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("```")]
        opening = fences[::2]
        python = [n for n in opening if lines[n - 1].lstrip("` ").lstrip("{. ").startswith(("python", "py"))]
        assert [b.lineno for b in BLOCKS[page]] == python, page
