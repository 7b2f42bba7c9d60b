"""How a block's output is compared with its page, and how `--update-outputs` writes it back."""

import re

import pagecode
import pytest
from pagecode import TOLERANCE, Block, matches, python_blocks, rewrite, tolerance_note


def block(expected, **tolerance):
    return Block("docs/x.md", 1, "", expected, tolerance={"rtol": 1e-3, "atol": 0.0, **tolerance})


@pytest.mark.parametrize(
    "expected, printed, same",
    [
        ("loss 0.5791, accuracy 60.0%", "loss 0.5791, accuracy 60.0%", True),
        ("loss 0.5791", "loss 0.57911", True),  # float32 summation order
        ("loss 0.5791", "loss 0.5801", False),  # a wrong formula
        ("loss 0.5791", "Loss 0.5791", False),  # text is text
        ("accuracy 97.5%", "accuracy 97.4%", False),  # numbers before % are numbers too
        ("lr 0.001: 95%", "lr 0.001: 95%", True),
        ("digits per class: [5923, 6742]", "digits per class: [5923, 6743]", False),  # integers exactly
        ("tensor([0.6285, 0.2312])", "tensor([0.6285, 0.2312])", True),
        ("-0.000", "0.000", True),
        ("True", "False", False),
        ("", "something", False),  # a block that prints but shows nothing
    ],
)
def test_text_exactly_numbers_within_the_tolerance(expected, printed, same):
    assert matches(block(expected), printed) is same


def test_a_declared_tolerance_loosens_numbers_only():
    trained = block("accuracy 98.3%, loss 0.073", rtol=0.01, atol=0.01)
    assert matches(trained, "accuracy 97.9%, loss 0.075")
    assert not matches(trained, "accuracy 96.0%, loss 0.075")
    assert not matches(trained, "accuracy 98.3%; loss 0.073")


def test_marks_are_read_from_the_lines_above_a_block(tmp_path, monkeypatch):
    pagecode.site_config()  # the real site's, before the root moves
    monkeypatch.setattr(pagecode, "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "p.md"
    page.write_text(
        "# P\n\n<!--tolerance rtol=0.02-->\n<!--data-dependent-->\n```python\nprint(1.0)\n# > 1.0\n```\n\n"
        '<!--pytest.mark.skip(reason="needs the network")-->\n```python title="x.py"\nprint(2)\n```\n'
    )
    first, second = python_blocks(page)
    assert first.tolerance == {"rtol": 0.02, "atol": 0.0} and first.data_dependent and first.expected == "1.0"
    assert second.skip == "needs the network" and second.lineno == 11 and not second.data_dependent
    assert tolerance_note(TOLERANCE.search("<!--tolerance rtol=0.02 atol=0.5-->")) == (
        "may differ by up to ±0.5 plus 2 % of their value"
    )


def test_update_outputs_writes_the_printed_lines_into_the_page(tmp_path, monkeypatch):
    monkeypatch.setattr(pagecode, "ROOT", tmp_path)
    page = tmp_path / "p.md"
    text = (
        "```python\nprint(1)\n# > 9\nprint(2)\n# > 9\n```\n\n"  # line for line
        "!!! note\n    ```python\n    for i in range(3):\n        print(i)\n    # > 7\n    ```\n\n"  # one group
        "```python\nprint('new')\n```\n"  # none yet
    )
    page.write_text(text)
    for lineno, printed in ((15, "new"), (9, "0\n1\n2"), (1, "1\n2")):  # bottom up, as the tests apply them
        rewrite(Block("p.md", lineno, "", ""), printed)
    assert page.read_text() == (
        "```python\nprint(1)\n# > 1\nprint(2)\n# > 2\n```\n\n"
        "!!! note\n    ```python\n    for i in range(3):\n        print(i)\n    # > 0\n    # > 1\n    # > 2\n    ```\n\n"
        "```python\nprint('new')\n# > new\n```\n"
    )
    page.write_text("```python\nprint(1)\n# > 9\nprint(2)\n# > 9\n```\n")
    with pytest.raises(ValueError, match=re.escape("p.md:1: the page shows 2 output lines in several places")):
        rewrite(Block("p.md", 1, "", ""), "1\n2\n3")
