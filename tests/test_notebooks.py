"""Every chapter's notebook: made from the page, run clean by nbclient at build time, stamped on the page.

The build that `built_site` runs executes each notebook whose code changed (a clean checkout, as in CI,
runs them all); a cell that fails fails that build. These tests check what it produced.
"""

import json
from functools import cache
import re
import textwrap

import matplotlib
import nbformat
import pytest
import torch
from notebooks import _flatten_containers, colab_url
from pagecode import ROOT, python_blocks
from test_site import build  # the small project with the real hooks, to break things on purpose
from test_site import project  # noqa: F401

CHAPTERS = [p for p in sorted((ROOT / "docs").glob("**/*.md")) if python_blocks(p)]


def name(chapter):
    return chapter.relative_to(ROOT / "docs").with_suffix("").as_posix().replace("/", "-")


def printed(cell) -> str:
    """What the cell printed, with an error shown as the page shows it: `Type: message`."""
    text = "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == "stdout")
    errors = [f"{o['ename']}: {o['evalue']}" for o in cell.outputs if o["output_type"] == "error"]
    return "\n".join(line.rstrip() for line in "\n".join([text.rstrip(), *errors]).strip("\n").splitlines())


@cache
def on_the_sample() -> bool:
    """Whether this build's MNIST is the offline sample, as the notebooks loaded it."""
    from snippets.mnist_data import load_mnist

    return load_mnist().source == "sample"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_the_notebook_is_the_page_and_ran_clean(built_site, chapter):
    notebook = nbformat.read(built_site / "notebooks" / f"{name(chapter)}.ipynb", as_version=4)
    nbformat.validate(notebook)
    blocks = python_blocks(chapter)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "setup" not in c.metadata.get("tags", [])]
    assert [c.source for c in cells] == [b.code.strip("\n") for b in blocks]
    for cell, block in zip(cells, blocks):
        tags = cell.metadata.get("tags", [])
        if block.skip:
            assert "skip-execution" in tags and not cell.outputs, block.id
            continue
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        assert not errors or "raises-exception" in tags, f"{block.id} raised in the notebook"
        warned = any(o.get("name") == "stderr" for o in cell.outputs)
        if block.data_dependent and on_the_sample():
            continue  # its numbers are full MNIST's, as in tests/test_pages.py
        if not warned:  # a warning reads differently in a kernel; everything else must match the page
            assert printed(cell) == block.expected, f"the notebook's output differs from what {block.id} shows"
    stamp = notebook.metadata["nn_basics"]
    assert (stamp["torch"], stamp["matplotlib"]) == (torch.__version__, matplotlib.__version__)
    assert stamp["seconds"] > 0


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_the_page_has_its_buttons_and_stamp(built_site, chapter):
    url = chapter.relative_to(ROOT / "docs").with_suffix("")
    html = (built_site / url / "index.html").read_text(encoding="utf-8")
    notebook = nbformat.read(built_site / "notebooks" / f"{name(chapter)}.ipynb", as_version=4)
    stamp = notebook.metadata["nn_basics"]
    assert f'href="../notebooks/{name(chapter)}.ipynb">Download notebook</a>' in html
    colab = f"https://colab.research.google.com/github/nn-basics/nn-basics/blob/gh-pages/notebooks/{name(chapter)}.ipynb"
    assert f'href="{colab}">Open in Colab</a>' in html
    match = re.search(r'<p class="nn-stamp">This page\'s code ran in (.+?) when the site was built, under '
                      r"Python (\S+), torch (\S+) and matplotlib ([^\s(]+)( \(all but .+? marked not run\))?\.</p>", html)
    assert match, "no stamp"
    assert match.groups()[1:4] == (stamp["python"], stamp["torch"], stamp["matplotlib"])


def test_the_home_page_lists_every_chapter_with_its_run_time(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "<th" in html and "runs in" in html
    for chapter in CHAPTERS:
        row = re.search(rf'<tr>\s*<td><a href="{name(chapter)}/">.*?</tr>', html, re.DOTALL)
        assert row, chapter
        assert re.search(r"<td[^>]*>(under 1 s|\d+(\.\d)? s|\d+ min \d\d s)</td>\s*</tr>", row[0]), row[0]


def test_admonitions_and_tabs_become_plain_markdown():
    page = textwrap.dedent('''\
        !!! tip "Logits"
            Use `BCEWithLogitsLoss`.

        === "By hand"

            ```python
            x = 1
            ```

        After.''').splitlines()
    assert _flatten_containers(page) == [
        "**Tip: Logits**", "", "Use `BCEWithLogitsLoss`.", "", "**By hand**", "", "",
        "```python", "x = 1", "```", "", "After.",
    ]


def test_the_colab_link_needs_a_github_repository():
    class Config:
        repo_url, extra = "https://github.com/someone/thing/", {}

    assert colab_url(Config, "mlp") == (
        "https://colab.research.google.com/github/someone/thing/blob/gh-pages/notebooks/mlp.ipynb"
    )
    Config.repo_url = "https://gitlab.com/someone/thing"
    with pytest.raises(Exception, match="not a GitHub repository"):
        colab_url(Config, "mlp")


def test_a_failing_notebook_fails_the_build_naming_the_page(project):  # noqa: F811
    (project / "docs" / "index.md").write_text("# Home\n")
    (project / "docs" / "broken.md").write_text(
        "# Broken\n\n```python\nprint(1)\n#> 1\n```\n\n```python\n1 / 0\n#> 0\n```\n"
    )
    result = build(project)
    assert result.returncode != 0
    assert "the notebook of broken.md failed" in result.stderr and "ZeroDivisionError" in result.stderr


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_the_notebook_page_renders_like_the_site(built_site, chapter):
    html = (built_site / "notebooks" / name(chapter) / "index.html").read_text(encoding="utf-8")
    assert "jp-Notebook" in html, "not rendered by mkdocs-jupyter"
    assert "mathjax" not in html.lower() and "cdnjs" not in html  # no script from another host
    assert html.count("<math") >= (chapter.read_text(encoding="utf-8").count("\\(") > 0)
    assert "src=\"data:image/svg+xml;base64" not in html  # figures come in both palettes from the site
    assert f'href="../{name(chapter)}.ipynb" download' in html and "Read the chapter" in html
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d for d in index["docs"] if d["location"].startswith("notebooks/")]  # searching finds the chapter
    assert f'href="notebooks/{name(chapter)}/"' in (built_site / "index.html").read_text(encoding="utf-8")  # the nav section


DEMO_CHAPTER = '''# Demo chapter

Some maths: \\(a + b\\), and [the home page](index.md).

!!! warning "Careful"
    Inside an admonition:

    ```python
    x = 2
    print(x)
    #> 2
    ```

=== "By hand"

    ```python
    y = x + 1
    ```

=== "With torch"

    Nothing to run.

<!--pytest.mark.skip(reason="it would download a file")-->
```python
raise RuntimeError("no network here")
```

```python
from snippets.demo import line_figure

figure = line_figure()
int("x")
#> ValueError: invalid literal for int() with base 10: 'x'
```

![A line](fig:demo.line_figure)

```python
import warnings
warnings.warn("careful")
#> UserWarning: careful
```
'''


def test_a_chapter_with_every_kind_of_block_makes_a_clean_notebook(project):  # noqa: F811
    (project / "docs" / "index.md").write_text("# Home\n")
    (project / "docs" / "demo.md").write_text(DEMO_CHAPTER)
    result = build(project)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(project / "site" / "notebooks" / "demo.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.metadata.get("tags") for c in code] == [
        ["setup"], [], [], ["skip-execution"], ["raises-exception"], []
    ]
    setup, admonition, tab, skipped, raising, warning = code
    assert "import snippets" in setup.source and printed(admonition) == "2" and not skipped.outputs
    assert printed(raising) == "ValueError: invalid literal for int() with base 10: 'x'"
    assert any(o.get("name") == "stderr" and "UserWarning: careful" in o["text"] for o in warning.outputs)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "**Warning: Careful**" in prose and "**By hand**" in prose and "$a + b$" in prose
    assert "](https://nn-basics.github.io/nn-basics/)" in prose  # links go to the published site
    assert "*Not run when the site is built: it would download a file*" in prose
    assert "](attachment:demo.line_figure.svg)" in prose
    figure = next(c for c in notebook.cells if "attachments" in c)
    assert list(figure.attachments["demo.line_figure.svg"]) == ["image/svg+xml"]
    assert (project / "site" / "notebooks" / "demo" / "index.html").exists()
    assert "matplotlib 3" in (project / "site" / "demo" / "index.html").read_text()
    assert " (all but the block marked not run).</p>" in (project / "site" / "demo" / "index.html").read_text()
    again = build(project)  # the run is cached by content; editing prose does not re-run it
    assert "notebooks: 1 cached, 0 run" in again.stderr
    (project / "docs" / "demo.md").write_text(DEMO_CHAPTER.replace("Some maths", "Some more maths"))
    assert "notebooks: 1 cached, 0 run" in build(project).stderr
    (project / "docs" / "demo.md").write_text(DEMO_CHAPTER.replace("x = 2", "x = 3").replace("#> 2", "#> 3"))
    assert "notebooks: 0 cached, 1 run" in build(project).stderr
