"""Every chapter's notebook is its page's run: the page's prose and the run's cells with their outputs, and
the stamp on the page is that run's. The notebook pages render like the rest of the site."""

import json
import re
import textwrap
from importlib.metadata import version

import nbformat
import pytest
from mkdocs.config import load_config
from notebooks import _flatten_containers, colab_url
from pagecode import ROOT, python_blocks
from run import page_run, printed
from test_site import build, project  # noqa: F401  (the small project with the real hooks)

CHAPTERS = [p for p in sorted((ROOT / "docs").glob("**/*.md")) if python_blocks(p)]


def name(chapter):
    return chapter.relative_to(ROOT / "docs").with_suffix("").as_posix().replace("/", "-")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_the_notebook_is_the_run_with_the_page_prose(built_site, chapter):
    notebook = nbformat.read(built_site / "notebooks" / f"{name(chapter)}.ipynb", as_version=4)
    nbformat.validate(notebook)
    run = page_run(chapter)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    cells = [c for c in run.cells if "solution" not in c.metadata.tags]  # solutions stay on the site
    assert len(code) == len(cells)
    for cell, ran in zip(code, cells):
        assert printed(cell) == printed(ran) and [o.get("data") for o in cell.outputs] == [o.get("data") for o in ran.outputs]
        shown = [line for line in ran.source.splitlines() if not (cell.outputs and line.strip().startswith("# >"))]
        assert cell.source.splitlines() == shown  # the page's code; `# >` lines only where no output shows
        for output in cell.outputs:
            if output.output_type == "error":
                assert output.traceback == [f"{output.ename}: {output.evalue}"]  # as the page shows it
    assert code[0].metadata.tags == ["setup"] and "%pip install" in code[0].source
    prose = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "fig:" not in prose and "<!--" not in prose
    stamp = run.metadata["nn_basics"]
    assert (stamp["torch"], stamp["matplotlib"]) == (version("torch"), version("matplotlib"))  # as installed
    assert notebook.metadata.kernelspec.name == "python3" and "nn_basics" not in notebook.metadata
    blanks = [c for c in code if "exercise" in c.metadata.tags]
    assert blanks and all("..." in c.source and "not answered yet" in printed(c) for c in blanks)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_the_page_has_its_buttons_and_stamp(built_site, chapter):
    url = chapter.relative_to(ROOT / "docs").with_suffix("")
    html = (built_site / url / "index.html").read_text(encoding="utf-8")
    stamp = page_run(chapter).metadata["nn_basics"]
    assert f'href="../notebooks/{name(chapter)}.ipynb">Download notebook</a>' in html
    colab = f"https://colab.research.google.com/github/nn-basics/nn-basics/blob/gh-pages/notebooks/{name(chapter)}.ipynb"
    assert f'href="{colab}">Open in Colab</a>' in html
    match = re.search(r'<p class="nn-stamp">This page\'s code ran in (.+?) when the site was built, under '
                      r"Python (\S+), torch (\S+) and matplotlib ([^\s(]+)( \(all but .+? marked not run\))?\.</p>", html)
    assert match, "no stamp"
    solutions = [b for b in python_blocks(chapter) if b.role == "solution"]
    assert html.count('<details class="success">\n<summary>Solution</summary>') == len(solutions) > 0  # folded
    assert match.groups()[1:4] == (stamp["python"], stamp["torch"], stamp["matplotlib"])


def test_the_home_page_lists_every_chapter_with_its_run_time(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "<th" in html and "runs in" in html
    for chapter in CHAPTERS:
        row = re.search(rf'<tr>\s*<td><a href="{name(chapter)}/">.*?</tr>', html, re.DOTALL)
        assert row, chapter
        assert re.search(r"<td[^>]*>(under 1 s|\d+(\.\d)? s|\d+ min \d\d s)</td>\s*</tr>", row[0]), row[0]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_the_notebook_page_renders_like_the_site(built_site, chapter):
    html = (built_site / "notebooks" / name(chapter) / "index.html").read_text(encoding="utf-8")
    assert "jp-Notebook" in html, "not rendered by mkdocs-jupyter"
    assert "mathjax" not in html.lower() and "cdnjs" not in html  # no script from another host
    assert html.count("<math") >= (chapter.read_text(encoding="utf-8").count("\\(") > 0)
    assert 'src="data:image/svg+xml;base64' not in html  # figures come in both palettes from the site
    assert f'href="../{name(chapter)}.ipynb" download' in html and "Read the chapter" in html
    # light: no JupyterLab styles or scripts, no In [n]: column; code cells are material's code blocks
    notebook = html.split('<div class="jupyter-wrapper">')[1].split("</article>")[0]
    assert "<style" not in notebook and "<script" not in notebook and "jp-InputPrompt" not in notebook
    assert 'class="language-python highlight"><pre><code>' in html and "clipboard-copy" not in html
    # the site's links stay on this site (the downloaded notebook keeps absolute ones, for Colab)
    assert not [h for h in re.findall(r'<a [^>]*href="([^"]+)"', notebook) if h.startswith("https://nn-basics.github.io/")]
    title = next(t for item in load_config(str(ROOT / "mkdocs.yml")).nav for t, uri in item.items() if uri == chapter.name)
    assert f"<title>{title}: notebook - nn-basics</title>" in html
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d for d in index["docs"] if d["location"].startswith("notebooks/")]  # searching finds the chapter
    assert f'href="notebooks/{name(chapter)}/"' in (built_site / "index.html").read_text(encoding="utf-8")


def test_the_footer_never_leads_from_a_chapter_to_a_notebook(built_site):
    for page in built_site.glob("**/index.html"):
        html = page.read_text(encoding="utf-8")
        notebook = page.relative_to(built_site).parts[0] == "notebooks"
        for rel, href in re.findall(r'<link rel="(prev|next)" href="([^"]+)">', html):
            to_notebook = not href.startswith("../../") if notebook else "notebooks/" in href  # ../x/ from notebooks/y/
            assert to_notebook == notebook, (page, rel, href)


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


DEMO_CHAPTER = '''# Demo chapter

Some maths: \\(a + b\\), and [the home page](index.md).

!!! warning "Careful"
    Inside an admonition:

    ```python
    x = 2
    print(x)
    # > 2
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
# > RuntimeError: no network here
```

```python
int("x")
# > ValueError: invalid literal for int() with base 10: 'x'
```

<!--tolerance rtol=0.05 atol=0.5-->
```python
import warnings
warnings.warn("careful")
print(0.3)
# > UserWarning: careful
# > 0.3
```
'''


def test_a_chapter_with_every_kind_of_block_makes_a_clean_notebook(project):  # noqa: F811
    (project / "docs" / "demo.md").write_text(DEMO_CHAPTER)
    result = build(project)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(project / "site" / "notebooks" / "demo.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.metadata.get("tags") for c in code] == [
        ["setup"], [], [], ["skip-execution", "raises-exception"], ["raises-exception"], []
    ]
    _, admonition, _, skipped, raising, warning = code
    assert admonition.source == "x = 2\nprint(x)" and admonition.outputs[0].text == "2\n"
    assert not skipped.outputs and "# > RuntimeError: no network here" in skipped.source  # nothing else shows it
    assert raising.outputs[0].traceback == ["ValueError: invalid literal for int() with base 10: 'x'"]
    assert warning.outputs[0].text == "UserWarning: careful\n0.3\n"
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "**Warning: Careful**" in prose and "**By hand**" in prose and "$a + b$" in prose
    assert "](https://nn-basics.github.io/nn-basics/)" in prose  # links go to the published site
    assert "*Not run when the site is built: it would download a file*" in prose
    assert "*These numbers come from training: yours may differ by up to ±0.5 plus 5 % of their value.*" in prose
    html = (project / "site" / "demo" / "index.html").read_text()
    assert "These numbers come from training: yours may differ by up to ±0.5 plus 5 % of their value." in html
    assert " (all but the block marked not run).</p>" in html
    assert (project / "site" / "notebooks" / "demo" / "index.html").exists()
