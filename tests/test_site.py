"""The site builds with --strict, and the build hooks fail loudly, cache by content and draw the same bytes."""

import shutil
import subprocess
import sys
import textwrap

import pytest
from maths import tex_to_mathml
from pagecode import ROOT

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]


def build(project, site_dir=None):
    site_dir = site_dir or project / "site"
    return subprocess.run(
        [*MKDOCS, "-f", str(project / "mkdocs.yml"), "-d", str(site_dir)], capture_output=True, text=True
    )


def test_the_site_builds_strict_with_no_warning(built_site):
    assert (built_site / "perceptron" / "index.html").exists()


def test_every_page_figure_is_in_the_site(built_site):
    html = (built_site / "perceptron" / "index.html").read_text()
    for name in ("boundaries_figure", "loss_figure", "gates_figure"):
        for palette in ("light", "dark"):
            assert f"../figures/perceptron/{name}.{palette}.svg#only-{palette}" in html
            assert (built_site / "figures" / "perceptron" / f"{name}.{palette}.svg").stat().st_size > 1000
    assert "fig:" not in html


def test_maths_is_mathml_and_no_tex_is_left(built_site):
    html = (built_site / "perceptron" / "index.html").read_text()
    assert html.count("<math") > 10
    assert "\\(" not in html and "\\[" not in html


def test_bad_tex_is_an_error():
    assert tex_to_mathml(r"\frac{1}{2}", display=False).startswith("<math")
    with pytest.raises(Exception):
        tex_to_mathml(r"\frac{1}{", display=True)


# A small project with the real hooks and a toy snippets package, to break things on purpose.
DEMO = """
from matplotlib.figure import Figure

def line_figure():
    figure = Figure(figsize=(3, 2))
    figure.subplots().plot([0, 1, 4, 9])
    return figure

def broken_figure():
    raise RuntimeError("the data file is gone")

def not_a_figure():
    return 42
"""


@pytest.fixture
def project(tmp_path):
    shutil.copytree(ROOT / "hooks", tmp_path / "hooks")
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    (tmp_path / "snippets" / "demo.py").write_text(DEMO)
    (tmp_path / "docs").mkdir()
    config = (ROOT / "mkdocs.yml").read_text().split("# Navigation")[0]
    (tmp_path / "mkdocs.yml").write_text(config.replace("extra_css:\n  - assets/extra.css\n", ""))
    return tmp_path


def page(project, text):
    (project / "docs" / "index.md").write_text(textwrap.dedent(text))


def test_a_figure_is_drawn_once_then_cached_and_redrawn_when_its_module_changes(project):
    page(project, "# Demo\n\n![A line](fig:demo.line_figure)\n")
    first = build(project)
    assert first.returncode == 0, first.stderr
    assert "1 drawn" in first.stderr
    again = build(project)
    assert "1 cached, none drawn" in again.stderr
    demo = project / "snippets" / "demo.py"
    demo.write_text(demo.read_text().replace("[0, 1, 4, 9]", "[0, 1, 2, 3]"))
    edited = build(project)
    assert "0 cached, 1 drawn" in edited.stderr


def test_two_cold_builds_give_identical_bytes(project):
    page(project, "# Demo\n\n![A line](fig:demo.line_figure)\n\n![Raster](fig:demo.line_figure.png)\n")
    assert build(project, project / "one").returncode == 0
    shutil.rmtree(project / ".cache")
    assert build(project, project / "two").returncode == 0
    for palette in ("light", "dark"):
        for fmt in ("svg", "png"):
            name = f"figures/demo/line_figure.{palette}.{fmt}"
            assert (project / "one" / name).read_bytes() == (project / "two" / name).read_bytes()


@pytest.mark.parametrize(
    "reference, message",
    [
        ("fig:demo.broken_figure", "fig:demo.broken_figure' failed: RuntimeError: the data file is gone"),
        ("fig:demo.missing_figure", "snippets/demo.py has no function 'missing_figure'"),
        ("fig:nowhere.line_figure", "there is no snippets/nowhere.py"),
        ("fig:demo.not_a_figure", "not_a_figure() returned int, not a matplotlib Figure"),
    ],
)
def test_a_broken_figure_fails_the_build_naming_it(project, reference, message):
    page(project, f"# Demo\n\n![Broken]({reference})\n")
    result = build(project)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("include", ['"snippets/demo.py:no_such_section"', '"snippets/gone.py"'])
def test_a_missing_include_fails_the_build(project, include):
    page(project, f"# Demo\n\n```python\n--8<-- {include}\n```\n")
    result = build(project)
    assert result.returncode != 0
    assert f"index.md:4: --8<-- {include}: " in result.stderr
