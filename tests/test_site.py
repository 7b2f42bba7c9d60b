"""The site builds with --strict; the build reads each page's one run, caches it by content, takes its figures
from it in both palettes, and fails loudly, naming the page line, when something is wrong."""

import re
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest
from pagecode import ROOT
from run import key

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
CHAPTERS = ["perceptron", "activations", "losses", "mlp", "mnist"]


def build(project, site_dir=None):
    site_dir = site_dir or project / "site"
    return subprocess.run(
        [*MKDOCS, "-f", str(project / "mkdocs.yml"), "-d", str(site_dir)], capture_output=True, text=True, check=False
    )


def test_the_site_builds_strict_with_no_warning(built_site):
    assert (built_site / "perceptron" / "index.html").exists()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_a_page_places_is_in_the_site_in_both_palettes(built_site, chapter):
    html = (built_site / chapter / "index.html").read_text()
    places = len(re.findall(r"\]\(fig:", (ROOT / "docs" / f"{chapter}.md").read_text()))
    figures = re.findall(r'<figure class="nn-figure">(.*?)</figure>', html, re.DOTALL)
    assert places and len(figures) == places
    for figure in figures:
        light, dark = re.findall(r'src="\.\./(figures/[\w/-]+)\.(light|dark)\.svg#only-\2"', figure)
        assert light[0] == dark[0] and (light[1], dark[1]) == ("light", "dark")
        assert (built_site / f"{light[0]}.light.svg").stat().st_size > 1000
        assert re.search(r'width="\d+"', figure) and re.search(r'height="\d+"', figure) and "data-text-pt" in figure
    assert "fig:" not in html


def test_maths_is_mathml_and_no_tex_is_left(built_site):
    html = (built_site / "perceptron" / "index.html").read_text()
    assert html.count("<math") > 10
    assert "\\(" not in html and "\\[" not in html


def test_the_run_key_does_not_depend_on_how_the_data_folder_is_spelled(tmp_path, monkeypatch):
    cells = [nbformat.v4.new_code_cell("# setup"), nbformat.v4.new_code_cell("from snippets.mnist_data import load_mnist")]
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NN_BASICS_DATA", "data")
    relative = key(cells)
    monkeypatch.setenv("NN_BASICS_DATA", str(tmp_path / "data" / ".." / "data"))
    assert key(cells) == relative
    (tmp_path / "data" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"now there is a file")
    assert key(cells) != relative
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # another thread count: another run
    assert key(cells) != relative


# A small project with the real hooks and a toy snippets package, to break things on purpose.
DEMO = """
from matplotlib.figure import Figure

def line_figure():
    figure = Figure(figsize=(3, 2))
    figure.subplots().plot([0, 1, 4, 9])
    return figure
"""


@pytest.fixture
def project(tmp_path):
    shutil.copytree(ROOT / "hooks", tmp_path / "hooks")
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    (tmp_path / "snippets" / "demo.py").write_text(DEMO)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    config = (ROOT / "mkdocs.yml").read_text().split("# Navigation")[0]
    (tmp_path / "mkdocs.yml").write_text(config.replace("extra_css:\n  - assets/extra.css\n", ""))
    return tmp_path


def page(project, text):
    (project / "docs" / "demo.md").write_text(textwrap.dedent(text))


FIGURE_PAGE = """\
# Demo

```python
from snippets.demo import line_figure

line_figure()
```

![A rising curve](fig:line "Four points.")
"""


def test_a_figure_is_the_output_of_its_block_in_both_palettes(project):
    page(project, FIGURE_PAGE)
    result = build(project)
    assert result.returncode == 0, result.stderr
    light = (project / "site" / "figures" / "demo" / "line.light.svg").read_text()
    dark = (project / "site" / "figures" / "demo" / "line.dark.svg").read_text()
    assert "#0072b2" in light and "#0072b2" not in dark and "#56b4e9" in dark  # the first colour of the cycle
    assert light.replace("#0072b2", "#56b4e9").count("<path") == dark.count("<path")
    html = (project / "site" / "demo" / "index.html").read_text()
    assert 'alt="A rising curve"' in html and "<figcaption>Four points.</figcaption>" in html


def test_the_run_is_cached_by_content(project):
    page(project, FIGURE_PAGE)
    assert "running docs/demo.md" in build(project).stderr
    assert "running docs/demo.md" not in build(project).stderr
    page(project, FIGURE_PAGE.replace("# Demo", "# Demo, renamed"))  # prose: the same run
    assert "running docs/demo.md" not in build(project).stderr
    demo = project / "snippets" / "demo.py"
    demo.write_text(demo.read_text().replace("[0, 1, 4, 9]", "[0, 1, 2, 3]"))  # an imported module: a new run
    assert "running docs/demo.md" in build(project).stderr


def test_two_cold_builds_give_identical_bytes(project):
    page(project, FIGURE_PAGE)
    assert build(project, project / "one").returncode == 0
    shutil.rmtree(project / ".cache")
    assert build(project, project / "two").returncode == 0
    for name in ("figures/demo/line.light.svg", "figures/demo/line.dark.svg", "notebooks/demo.ipynb"):
        assert (project / "one" / name).read_bytes() == (project / "two" / name).read_bytes(), name


@pytest.mark.parametrize(
    "text, message",
    [
        (FIGURE_PAGE.replace('![A rising curve](fig:line "Four points.")', ""),
         "demo.md: its code displays 1 figures and the page places 0"),
        ('# Demo\n\n![A curve](fig:line)\n\n```python\nfrom snippets.demo import line_figure\n\nline_figure()\n```\n',
         "demo.md:3: fig:line is figure 1 of the page's run, drawn by the block at line 5: place it right after"),
        ("# Demo\n\nSome text.\n\n```python\nx = 1\n```\n\n```python\n1 / 0\n```\n",
         "the block at docs/demo.md:9 raised:"),
        ("# Demo\n\n```python\n--8<--\nsnippets/demo.py:no_such_section\n--8<--\n```\n",
         "docs/demo.md:3: Snippet section 'no_such_section' could not be located"),
        ("# Demo\n\n```python\n--8<--\nsnippets/gone.py\n--8<--\n```\n",
         "docs/demo.md:3: Snippet at path 'snippets/gone.py' could not be found"),
    ],
    ids=["figure-not-placed", "figure-before-its-block", "block-raises", "missing-section", "missing-file"],
)
def test_a_broken_page_fails_the_build_naming_the_place(project, text, message):
    page(project, text)
    result = build(project)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-2000:]
