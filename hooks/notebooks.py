"""MkDocs hook: every chapter as a Jupyter notebook, run at build time; its stamp and buttons on the page.

A chapter is any page with a Python block. Its notebook is made from the page itself: the prose as
Markdown cells, each Python block as a code cell exactly as `pagecode` reads it (includes expanded).
The notebook is executed with nbclient in a fresh kernel, top to bottom; a cell that fails fails the build,
naming the page. Blocks the tests skip carry the `skip-execution` tag; blocks meant to raise carry
`raises-exception`. The executed notebook is cached under `.cache/notebooks/` by a hash of its code
cells, the `snippets` modules they import, this file, the library versions and the `NN_BASICS_*`
variables: editing prose never re-runs the code. The notebook, with its outputs, is added to the site
as `notebooks/NAME.ipynb` (a generated file, never written into `docs/`).

Each chapter page gets, under its title, a "Download notebook" and an "Open in Colab" button and a stamp:
the Python, torch and matplotlib versions its code ran under in this build and how long it took. The
home page's learning-path table gets a "runs in" column from the same runs.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).parent))
from figures import FIGURE_REF, _snippet_modules, imported_snippets  # noqa: E402
from maths import tex_to_mathml  # noqa: E402
from pagecode import SKIP, _check_includes, language, python_blocks  # noqa: E402

log = logging.getLogger("mkdocs.hooks.notebooks")

FOLDER = "notebooks"  # where the site serves them: notebooks/NAME.ipynb, and its page notebooks/NAME/
PAGES = "rendered"  # under .cache/notebooks/: the copies mkdocs-jupyter renders as pages (its `include`)
VERSIONS = ("torch", "matplotlib")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,})(?P<info>.*)$")
CONTAINER = re.compile(r'^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?|===\+?)\s*(?P<type>[\w-]*)[^"]*(?:"(?P<title>[^"]*)")?\s*$')
INLINE_MATHS = re.compile(r"\\\((.+?)\\\)")
PAGE_LINK = re.compile(r"\]\((?P<page>[\w/.-]+)\.md(?P<anchor>#[\w-]+)?\)")
RAISES = re.compile(r"^\w*(Error|Exception)\w*: ")
IMPORTS_SNIPPETS = re.compile(r"^\s*(from|import)\s+snippets\b", re.MULTILINE)

MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)
MERMAID = re.compile(r'<script type="module">(?:(?!</script>).)*?cdnjs\.cloudflare\.com/ajax/libs/mermaid.*?</script>', re.DOTALL)
MARKDOWN_CELL = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>)(.*?)(</div>)', re.DOTALL)
CODE_SPAN = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.DOTALL)
DISPLAY_DOLLARS = re.compile(r"(?:<p>)?\$\$(.+?)\$\$(?:</p>)?", re.DOTALL)
INLINE_DOLLARS = re.compile(r"(?<![\\\w$])\$([^$\n]+?)\$(?![\w$])")
DATA_IMAGE = re.compile(r'<img alt="(?P<alt>[^"]*)" src="data:image/[\w+]+;base64,(?P<data>[^"]+)"\s*/?>')

STYLE = re.compile(r'<style(?: type="text/css")?>(.*?)</style>', re.DOTALL)
_stylesheets: dict[str, str] = {}  # site path -> the notebook styles it holds
_figure_pages: dict[str, dict] = {}  # base64 of a figure's light file -> {palette: its src_uri in the site}
_runs: dict[str, dict] = {}  # src_uri of the page -> {"notebook": uri, "python", "torch", "matplotlib", "seconds"}


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def _site(config) -> str:
    return (config.site_url or "").rstrip("/") + "/"


def colab_url(config, name: str) -> str:
    """Colab opens notebooks from GitHub: the published site's branch holds the generated ones."""
    match = re.match(r"https://github\.com/(?P<repo>[^/]+/[^/]+?)/?$", config.repo_url or "")
    if not match:
        raise PluginError(f"repo_url {config.repo_url!r} is not a GitHub repository: Colab cannot open it")
    branch = config.extra.get("colab_branch", "gh-pages")
    return f"https://colab.research.google.com/github/{match['repo']}/blob/{branch}/{FOLDER}/{name}.ipynb"


# Page -> notebook -------------------------------------------------------------------------------------


def _flatten_containers(lines: list[str]) -> list[str]:
    """Admonitions and content tabs have no Markdown equivalent: a bold title, then the body dedented."""
    out, stack = [], []  # stack: indents of the open containers
    for line in lines:
        if line.strip():
            indent = len(line) - len(line.lstrip())
            while stack and indent < stack[-1] + 4:
                stack.pop()
        shift = 4 * len(stack)
        body = line[shift:] if not line[:shift].strip() else line.lstrip()
        match = CONTAINER.match(body)
        if match:
            title = match["title"] or match["type"].capitalize()
            prefix = f"{match['type'].capitalize()}: " if match["kind"] == "!!!" and match["title"] else ""
            out.append(f"{match['indent']}**{prefix}{title}**")
            out.append("")
            stack.append(len(line) - len(line.lstrip()))
        else:
            out.append(body)
    return out


def _prose(text: str, page_uri: str, config, figures: dict[str, tuple[str, bytes]]) -> tuple[str, dict]:
    """One Markdown cell's text as Jupyter and Colab render it, and the figures it attaches."""
    attachments = {}

    def figure(ref: re.Match) -> str:
        fmt = ref["fmt"] or "svg"
        name = f"{ref['name']}.{fmt}"
        mime, data = figures[name]
        attachments[name] = {mime: base64.b64encode(data).decode()}
        return (
            f"![{ref['caption']}](attachment:{name})\n\n"
            f"*{ref['caption']}* (drawn when the site was built, by `snippets.{ref['name']}()`)"
        )

    def link(ref: re.Match) -> str:
        target = PurePosixPath(page_uri).parent / ref["page"]
        path = "" if target.name == "index" else f"{target}/"
        return f"]({_site(config)}{path}{ref['anchor'] or ''})"

    text = SKIP.sub(lambda m: f"*Not run when the site is built: {m['reason']}*", text)
    text = FIGURE_REF.sub(figure, text)
    text = PAGE_LINK.sub(link, text)
    text = INLINE_MATHS.sub(lambda m: f"${m[1].strip()}$", text)
    return text.strip("\n"), attachments


def build_notebook(page_path: Path, page_uri: str, config, figures: dict) -> nbformat.NotebookNode:
    """The page as a notebook: prose in Markdown cells, each Python block a code cell as the tests run it."""
    blocks = iter(python_blocks(page_path))
    lines = _flatten_containers(page_path.read_text(encoding="utf-8").splitlines())
    cells, prose, i = [], [], 0

    def flush():
        source, attachments = _prose("\n".join(prose), page_uri, config, figures)
        if source.strip():
            cell = nbformat.v4.new_markdown_cell(source)
            if attachments:
                cell.attachments = attachments
            cells.append(cell)
        prose.clear()

    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            prose.append(lines[i])
            i += 1
            continue
        end = next(
            (j for j in range(i + 1, len(lines)) if lines[j].strip() == fence["ticks"]), len(lines) - 1
        )
        if language(fence["info"]) in {"python", "py", "python3", "pycon"}:
            block = next(blocks)
            flush()
            tags = []
            if block.skip:
                tags.append("skip-execution")
            if block.expected and RAISES.match(block.expected.splitlines()[-1]):
                tags.append("raises-exception")
            cell = nbformat.v4.new_code_cell(block.code.strip("\n"))
            cell.metadata["tags"] = tags
            cell.metadata["nn_basics"] = {"block": block.id}
            cells.append(cell)
        else:
            prose.extend(line[len(fence["indent"]) :] for line in lines[i : end + 1])
        i = end + 1
    flush()
    if next(blocks, None) is not None:
        raise PluginError(f"{page_uri}: the notebook missed a Python block; check its fences")

    url = f"{_site(config)}{PurePosixPath(page_uri).with_suffix('')}/"
    intro = (
        f"*This notebook is generated from the page <{url}>, where every block runs in the tests. "
        "The `#>` lines show what a line prints.*"
    )
    title = next((n for n, c in enumerate(cells) if c.cell_type == "markdown"), None)
    if title is not None and cells[title].source.startswith("# "):
        head, _, rest = cells[title].source.partition("\n")
        cells[title].source = "\n\n".join(filter(None, [head, intro, rest.strip("\n")]))
    else:
        cells.insert(0, nbformat.v4.new_markdown_cell(intro))
    if any(IMPORTS_SNIPPETS.search(c.source) for c in cells if c.cell_type == "code"):
        setup = nbformat.v4.new_code_cell(
            "# this page's code imports `snippets`, the site's own package: install it where it is missing (Colab)\n"
            "try:\n    import snippets\nexcept ImportError:\n"
            f"    %pip install --quiet --no-deps git+{config.repo_url}"
        )
        setup.metadata["tags"] = ["setup"]
        cells.insert(1, setup)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


# Running it -------------------------------------------------------------------------------------------


def _imported_snippets(code: str) -> set[str]:
    try:
        return imported_snippets(code)
    except SyntaxError:  # a cell with IPython magics (%pip) is not plain Python
        return set()


def _fingerprint(root: Path, notebook) -> str:
    """Everything the outputs depend on: the code, the snippets modules it imports, the environment."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    modules: set[Path] = set()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + json.dumps(cell.metadata.get("tags", [])).encode())
            for module in _imported_snippets(cell.source):
                _snippet_modules(root / "snippets" / f"{module}.py", root, modules)
    for path in sorted(modules):
        digest.update(path.read_bytes())
    for package in (*VERSIONS, "numpy", "nbclient", "ipykernel"):
        digest.update(version(package).encode())
    for key in sorted(k for k in os.environ if k.startswith("NN_BASICS_")):
        digest.update(f"{key}={os.environ[key]}".encode())
    return digest.hexdigest()[:16]


PROBE = "import json, platform, torch, matplotlib\nprint(json.dumps({'python': platform.python_version(), 'torch': torch.__version__, 'matplotlib': matplotlib.__version__}))"


def quiet(client, notebook, source: str):
    """Run a cell that the notebook does not keep; return it with its outputs."""
    cell = nbformat.v4.new_code_cell(source)
    notebook.cells.append(cell)
    try:
        client.execute_cell(cell, len(notebook.cells) - 1, store_history=False)
    finally:
        notebook.cells.pop()
    return cell


def execute(notebook, root: Path, label: str) -> dict:
    """Run the notebook in a fresh kernel, in place; return the versions it ran under and its run time."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix="nn-basics-kernel-") as sockets:
        # local socket files rather than TCP ports: nothing listens on the network
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
        manager.start_kernel(env=env, cwd=str(root))
        client = NotebookClient(notebook, km=manager, timeout=1200, kernel_name="python3", allow_errors=False)
        try:
            with client.setup_kernel():
                quiet(client, notebook, "%xmode Minimal")  # an expected error shows as `Type: message`, as on the page
                start = time.perf_counter()
                for index, cell in enumerate(notebook.cells):
                    client.execute_cell(cell, index)
                seconds = time.perf_counter() - start
                probe = quiet(client, notebook, PROBE)
        except CellExecutionError as error:
            raise PluginError(f"the notebook of {label} failed:\n{error}") from None
        finally:
            manager.shutdown_kernel(now=False)
    stamp = json.loads(probe.outputs[0]["text"])
    stamp["seconds"] = round(seconds, 1)
    return stamp


def _with_outputs(notebook, executed) -> None:
    """Copy the executed outputs into a notebook whose code cells are the same (its prose may differ)."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    done = [c for c in executed.cells if c.cell_type == "code"]
    assert [c.source for c in code] == [c.source for c in done]
    for cell, ran in zip(code, done):
        cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
    notebook.metadata["nn_basics"] = executed.metadata["nn_basics"]


def _chapters(config) -> list[str]:
    """The src_uri of every page in nav with a Python block, in nav order."""
    docs = Path(config.docs_dir)

    def walk(items):
        for item in items or []:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from walk(value)
            elif isinstance(value, str) and value.endswith(".md") and (docs / value).exists():
                yield value

    return [uri for uri in walk(config.nav) if python_blocks(docs / uri)]


def _name(src_uri: str) -> str:
    return PurePosixPath(src_uri).with_suffix("").as_posix().replace("/", "-")


def on_config(config):
    """A Notebooks section in nav: each chapter's executed notebook, rendered by mkdocs-jupyter."""
    chapters = _chapters(config)
    if chapters and config.nav is not None:
        config.nav.append({"Notebooks": [f"{FOLDER}/{_name(uri)}/index.ipynb" for uri in chapters]})
    return config


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so that mkdocs-jupyter's cache and `mkdocs serve` stay quiet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


@event_priority(50)  # after the figures (100), before mkdocs-jupyter (0) turns the notebooks into pages
def on_files(files, config):
    root = _root(config)
    cache = root / ".cache" / "notebooks"
    cache.mkdir(parents=True, exist_ok=True)
    _runs.clear()
    figures = {}
    _figure_pages.clear()
    _stylesheets.clear()
    for file in files:
        if file.src_uri.startswith("figures/") and ".light." in file.src_uri:
            module, function, _, fmt = PurePosixPath(file.src_uri).relative_to("figures").as_posix().replace("/", ".").rsplit(".", 3)
            mime = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
            figures[f"{module}.{function}.{fmt}"] = (mime, Path(file.abs_src_path).read_bytes())
            data = base64.b64encode(figures[f"{module}.{function}.{fmt}"][1]).decode()
            _figure_pages[data] = {theme: file.src_uri.replace(".light.", f".{theme}.") for theme in ("light", "dark")}
    ran = cached = 0
    for page in list(files.documentation_pages()):
        if not page.src_uri.endswith(".md"):
            continue
        path = Path(page.abs_src_path)
        _check_includes(path.read_text(encoding="utf-8"), page.src_uri)  # fail naming the line, not deep in here
        if not python_blocks(path):
            continue
        notebook = build_notebook(path, page.src_uri, config, figures)
        name = _name(page.src_uri)
        stored = cache / f"{name}.{_fingerprint(root, notebook)}.ipynb"
        if stored.exists():
            executed = nbformat.read(stored, as_version=4)
            cached += 1
        else:
            executed = nbformat.from_dict(json.loads(json.dumps(notebook)))
            log.info(f"notebooks: running {page.src_uri}")
            executed.metadata["nn_basics"] = execute(executed, root, page.src_uri)
            nbformat.write(executed, stored)
            ran += 1
        _with_outputs(notebook, executed)
        nbformat.validate(notebook)
        uri = f"{FOLDER}/{name}.ipynb"
        text = nbformat.writes(notebook) + "\n"
        files.append(File.generated(config, uri, content=text))  # the download
        # The page mkdocs-jupyter renders. Not File.generated: mkdocs-jupyter wraps the file in a NotebookFile
        # whose abs_src_path is recomputed from src_dir, which a generated file leaves unset.
        page_uri = f"{FOLDER}/{name}/index.ipynb"
        _write(cache / PAGES / page_uri, text)
        files.append(File(page_uri, str(cache / PAGES), config.site_dir, config.use_directory_urls))
        skipped = sum("skip-execution" in c.metadata.get("tags", []) for c in notebook.cells)
        _runs[page.src_uri] = {"notebook": uri, "name": name, "skipped": skipped, **notebook.metadata["nn_basics"]}
    log.info(f"notebooks: {cached} cached, {ran} run")
    return files


# On the pages -----------------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds < 1:
        return "under 1 s"
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {round(seconds % 60):02d} s"


def _not_run(run: dict) -> str:
    n = run["skipped"]
    return "" if not n else f" (all but the {'block' if n == 1 else f'{n} blocks'} marked not run)"


def _stamp_html(run: dict, page_uri: str, config) -> str:
    download = os.path.relpath(run["notebook"], PurePosixPath(page_uri).parent)
    return (
        '<div class="nn-notebook" markdown>\n'
        f'[Download notebook]({download}){{ .md-button download="{run["name"]}.ipynb" }}\n'
        f'[Open in Colab]({colab_url(config, run["name"])}){{ .md-button }}\n'
        f'<p class="nn-stamp">This page\'s code ran in {duration(run["seconds"])} when the site was built, under '
        f'Python {run["python"]}, torch {run["torch"]} and matplotlib {run["matplotlib"]}{_not_run(run)}.</p>\n'
        "</div>\n"
    )


def _learning_path(markdown: str, page_uri: str) -> str:
    """Add a "runs in" column to the home page's chapter table, from this build's runs."""
    lines = markdown.splitlines()
    header = next((n for n, line in enumerate(lines) if line.replace(" ", "").startswith("|chapter|")), None)
    if header is None:
        return markdown
    lines[header] = lines[header].rstrip().rstrip("|").rstrip() + " | runs in |"
    lines[header + 1] = lines[header + 1].rstrip().rstrip("|").rstrip() + " | ---: |"
    listed = set()
    for n in range(header + 2, len(lines)):
        if not lines[n].lstrip().startswith("|"):
            break
        target = re.search(r"\]\(([\w/.-]+\.md)\)", lines[n])
        uri = (PurePosixPath(page_uri).parent / target[1]).as_posix() if target else None
        listed.add(uri)
        cell = duration(_runs[uri]["seconds"]) if uri in _runs else ""
        lines[n] = lines[n].rstrip().rstrip("|").rstrip() + f" | {cell} |"
    missing = sorted(set(_runs) - listed)
    if missing:
        raise PluginError(f"{page_uri}: the learning-path table has no row for {', '.join(missing)}")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown, page, config, files):
    uri = page.file.src_uri
    if uri == "index.md":
        return _learning_path(markdown, uri)
    run = _runs.get(uri)
    if run is None:
        return markdown
    lines = markdown.splitlines()
    title = next((n for n, line in enumerate(lines) if line.startswith("# ")), -1)
    lines.insert(title + 1, "\n" + _stamp_html(run, uri, config))
    return "\n".join(lines) + "\n"


def _notebook_page(html: str, page, config) -> str:
    """A notebook rendered by mkdocs-jupyter, made to behave like the other pages: no script from another
    host (its MathJax and Mermaid loaders), maths as MathML, figures in both palettes, the buttons and stamp."""
    from mkdocs.exceptions import PluginError

    html = MERMAID.sub("", MATHJAX.sub("", html))
    page_dir = PurePosixPath(page.file.url).as_posix()
    # mkdocs-jupyter inlines about 0.6 MB of JupyterLab styles in every notebook page: one shared file instead
    css = "\n".join(m[1] for m in STYLE.finditer(html))
    if css:
        uri = f"assets/notebook.{hashlib.sha256(css.encode()).hexdigest()[:8]}.css"
        _stylesheets[uri] = css
        link = f'<link rel="stylesheet" href="{os.path.relpath(uri, page_dir)}">'
        html = link + STYLE.sub("", html)

    def maths(cell: re.Match) -> str:
        parts = CODE_SPAN.split(cell[2])
        for n in range(0, len(parts), 2):  # even parts are outside <code> and <pre>
            try:
                parts[n] = DISPLAY_DOLLARS.sub(lambda m: tex_to_mathml(m[1], display=True), parts[n])
                parts[n] = INLINE_DOLLARS.sub(lambda m: tex_to_mathml(m[1], display=False), parts[n])
            except Exception as error:
                raise PluginError(f"{page.file.src_uri}: cannot render the maths: {error}") from None
        return cell[1] + "".join(parts) + cell[3]

    def figure(image: re.Match) -> str:
        uris = _figure_pages.get(image["data"])
        if uris is None:
            return image[0]
        return "".join(
            f'<img alt="{image["alt"]}" src="{os.path.relpath(uri, page_dir)}#only-{theme}" loading="lazy">'
            for theme, uri in uris.items()
        )

    html = DATA_IMAGE.sub(figure, MARKDOWN_CELL.sub(maths, html))
    _match_toc(page, html)
    chapter = next((uri for uri, run in _runs.items() if f"{FOLDER}/{run['name']}/index.ipynb" == page.file.src_uri), None)
    if chapter is not None:
        run = _runs[chapter]
        back = os.path.relpath(PurePosixPath(chapter).with_suffix("").as_posix() + "/", page_dir)
        buttons = (
            '<div class="nn-notebook">\n'
            f'<p><a class="md-button" href="{os.path.relpath(run["notebook"], page_dir)}" download="{run["name"]}.ipynb">Download notebook</a>\n'
            f'<a class="md-button" href="{colab_url(config, run["name"])}">Open in Colab</a>\n'
            f'<a class="md-button" href="{back}/">Read the chapter</a></p>\n'
            f'<p class="nn-stamp">This notebook with its outputs, as it ran in {duration(run["seconds"])} when the site was built, '
            f'under Python {run["python"]}, torch {run["torch"]} and matplotlib {run["matplotlib"]}.</p>\n</div>\n'
        )
        html = re.sub(r"(</h1>)", lambda m: m[1] + "\n" + buttons, html, count=1)
    return html


HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)


def _match_toc(page, html: str) -> None:
    """mkdocs-jupyter builds the table of contents from a Markdown copy that drops code spans from headings
    (`the-unit-as-an` for "The unit as an `nn.Module`"): take each entry's id and title from the heading."""
    import html as entities

    headings = [
        (heading_id, entities.unescape(re.sub(r"<[^>]+>|¶", "", text)).strip())
        for _, heading_id, text in HEADING.findall(html)
    ]

    def walk(items):
        for item in items:
            yield item
            yield from walk(item.children)

    entries = list(walk(page.toc))
    if len(entries) == len(headings):
        for entry, (heading_id, title) in zip(entries, headings):
            entry.id, entry.title = heading_id, title


def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith(f"{FOLDER}/") and page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}  # the chapter itself is the search result
        return _notebook_page(html, page, config)
    return html


def on_post_build(config):
    for uri, css in _stylesheets.items():
        _write(Path(config.site_dir) / uri, css)
