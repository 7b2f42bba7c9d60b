"""MkDocs hook: draw the figures that pages ask for, at build time, from functions in `snippets`.

A page asks for a figure with an image whose address starts with `fig:`:

    ![The loss falls as the perceptron trains](fig:perceptron.loss_figure)
    ![A grid of digits](fig:mnist.digits_figure.png)

`fig:MODULE.FUNCTION` calls `snippets.MODULE.FUNCTION()`, which returns a matplotlib Figure. It is
drawn twice, for the light and the dark palette, as SVG (or PNG when the name ends in `.png`), in a
subprocess so that `mkdocs serve` never sees stale modules. Files are cached under `.cache/figures/`
by a hash of everything the figure depends on; they are added to the site as generated files and never
written into `docs/`.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import os
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.figures")

FIGURE_REF = re.compile(r"!\[(?P<caption>[^\]]*)\]\(fig:(?P<name>[A-Za-z_][\w.]*?)(?:\.(?P<fmt>svg|png))?\)")
THEMES = ("light", "dark")
RENDERER = Path(__file__).with_name("render_figures.py")

_figures: dict[str, dict] = {}  # "module.function.fmt" -> {"caption", "files"}


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def imported_snippets(source: str) -> set[str]:
    """The names of the `snippets` modules that this Python source imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from . import x` or `from .x import y`, inside snippets
                base = f"snippets.{base}" if base else "snippets"
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        found |= {name.split(".")[1] for name in names if name.startswith("snippets.")}
    return found


def _snippet_modules(path: Path, root: Path, seen: set[Path]) -> set[Path]:
    """The module file and every `snippets` module it imports, directly or not."""
    if path in seen or not path.exists():
        return seen
    seen.add(path)
    for name in imported_snippets(path.read_text(encoding="utf-8")):
        _snippet_modules(root / "snippets" / f"{name}.py", root, seen)
    return seen


def _fingerprint(root: Path, module: str, function: str, fmt: str) -> str:
    digest = hashlib.sha256(f"{module}.{function}.{fmt}".encode())
    for path in sorted(_snippet_modules(root / "snippets" / f"{module}.py", root, set())):
        digest.update(path.read_bytes())
    digest.update(RENDERER.read_bytes())
    for package in ("torch", "matplotlib", "numpy"):
        digest.update(version(package).encode())
    for key in sorted(k for k in os.environ if k.startswith("NN_BASICS_")):
        digest.update(f"{key}={os.environ[key]}".encode())
    return digest.hexdigest()[:16]


@event_priority(100)  # first: the notebooks hook attaches these figures
def on_files(files, config):
    root = _root(config)
    cache = root / ".cache" / "figures"
    _figures.clear()
    jobs = []
    for page in files.documentation_pages():
        for ref in FIGURE_REF.finditer(Path(page.abs_src_path).read_text(encoding="utf-8")):
            module, _, function = ref["name"].partition(".")
            fmt = ref["fmt"] or "svg"
            key = f"{ref['name']}.{fmt}"
            if key in _figures:
                continue
            if not function or "." in function:
                raise PluginError(f"figure 'fig:{ref['name']}' in {page.src_uri}: write fig:MODULE.FUNCTION")
            if not (root / "snippets" / f"{module}.py").exists():
                raise PluginError(
                    f"figure 'fig:{ref['name']}' in {page.src_uri}: there is no snippets/{module}.py"
                )
            stem = f"{module}.{function}.{_fingerprint(root, module, function, fmt)}"
            cached = {theme: cache / f"{stem}.{theme}.{fmt}" for theme in THEMES}
            if not all(path.exists() for path in cached.values()):
                jobs.append((f"{module}.{function}", fmt, cache / stem))
            _figures[key] = {}
            for theme, path in cached.items():
                src_uri = f"figures/{module}/{function}.{theme}.{fmt}"
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
                _figures[key][theme] = src_uri
    _render(root, jobs)
    return files


def _render(root: Path, jobs: list) -> None:
    cached = len(_figures) - len(jobs)
    if not jobs:
        log.info(f"figures: {cached} cached, none drawn")
        return
    start = time.perf_counter()
    args = [f"{name}:{fmt}:{stem}" for name, fmt, stem in jobs]
    stem_dir = jobs[0][2].parent
    stem_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, str(RENDERER), str(root), *args], capture_output=True, text=True, cwd=root
    )
    if result.returncode != 0:
        raise PluginError(f"figures could not be drawn:\n{result.stderr.strip()}")
    for line in result.stdout.splitlines():
        log.info(line)
    log.info(f"figures: {cached} cached, {len(jobs)} drawn in {time.perf_counter() - start:.1f} s")


def on_page_markdown(markdown, page, config, files):
    page_dir = PurePosixPath(page.file.src_uri).parent

    def figure_html(ref: re.Match) -> str:
        key = f"{ref['name']}.{ref['fmt'] or 'svg'}"
        caption = ref["caption"]
        images = "\n".join(
            f"![{caption}]({os.path.relpath(uri, page_dir)}#only-{theme}){{ loading=lazy }}"
            for theme, uri in _figures[key].items()
        )
        return f'<figure class="nn-figure" markdown="span">\n{images}\n<figcaption>{caption}</figcaption>\n</figure>'

    return FIGURE_REF.sub(figure_html, markdown)
