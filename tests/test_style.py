"""The code readers copy is formatted by ruff at 88 columns, and every Python file and page block passes
ruff's lint (pyproject.toml's [tool.ruff])."""

import subprocess
import sys

from pagecode import ROOT

RUFF = [sys.executable, "-m", "ruff"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*RUFF, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_snippets_and_page_blocks_are_formatted_at_88_columns():
    result = ruff("format", "--check", "docs", "snippets", "bench")
    assert result.returncode == 0, (
        result.stdout + result.stderr + "\nfix: ruff format docs snippets bench"
    )


def test_ruff_finds_nothing_to_lint():
    result = ruff("check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_long_line_in_a_page_block_fails_the_format_check(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nvalues = [" + ", ".join(["1234567"] * 12) + "]\n```\n")
    result = ruff(
        "format", "--check", "--config", str(ROOT / "pyproject.toml"), str(page)
    )
    assert result.returncode == 1 and "1 file would be reformatted" in result.stdout


def shown_code_lines():
    """(page:line, text) of every line of code a page shows, includes expanded, outputs left out."""
    from pagecode import python_blocks

    for page in sorted((ROOT / "docs").glob("**/*.md")):
        for block in python_blocks(page):
            for line in block.code.splitlines():
                if not line.strip().startswith("# >"):
                    yield block.id, line


def test_no_line_of_code_a_page_shows_runs_past_88_columns():
    """Past 88 columns a line scrolls sideways, on a phone and on a desk; outputs are what torch prints."""
    long = [f"{where}: {len(line)} columns" for where, line in shown_code_lines() if len(line) > 88]
    assert not long, "wrap these lines:\n" + "\n".join(long)


def test_the_line_length_check_sees_included_snippets():
    lines = [line for where, line in shown_code_lines() if where.startswith("docs/mlp.md")]
    assert any(line.startswith("def backward(") for line in lines)
