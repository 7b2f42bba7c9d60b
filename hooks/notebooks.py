"""MkDocs hook: each chapter's run, shown to readers: as a notebook, and as a stamp and notes on the page.

A chapter is a page with Python blocks. Its run (hooks/run.py) is the source of everything here:
- the downloadable notebook `notebooks/NAME.ipynb`: the page's prose as Markdown cells and the run's code
  cells with their outputs (the `# >` lines dropped where the real output is there), and the same notebook
  rendered by mkdocs-jupyter as a page of the Notebooks section;
- under the chapter's title: Download and Colab buttons, and the versions and seconds of the run;
- the page's notes: why a block is not run, how far trained numbers may differ, and, on the MNIST page,
  which data the run used (`<!--data-note-->`); the home page's "runs in" column.
A block that raises unexpectedly fails the build, naming the page line.
"""

from __future__ import annotations

import copy
import html as entities
import os
import re
import textwrap
from pathlib import Path, PurePosixPath

import nbformat
from figures import FIGURE_REF, add_files, place
from maths import tex_to_mathml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from pagecode import (
    DATA_DEPENDENT,
    EXERCISE,
    PYTHON,
    SKIP,
    SOLUTION,
    TOLERANCE,
    is_output,
    language,
    python_blocks,
    tolerance_note,
    use_config,
)
from run import page_run

FOLDER = "notebooks"  # the site serves notebooks/NAME.ipynb, and its page notebooks/NAME/
PAGES = Path(".cache") / "notebooks"  # the copies mkdocs-jupyter renders (its `include`)
DATA_NOTE = "<!--data-note-->"
FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,})(?P<info>.*)$")
CONTAINER = re.compile(r'^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?|===\+?)\s*(?P<type>[\w-]*)[^"]*(?:"(?P<title>[^"]*)")?\s*$')
INLINE_MATHS = re.compile(r"\\\((.+?)\\\)")
PAGE_LINK = re.compile(r"\]\((?P<page>[\w/.-]+)\.md(?P<anchor>#[\w-]+)?\)")
QUIZ = re.compile(r"<quiz>\n(?P<body>.*?)</quiz>", re.DOTALL)
SOLUTION_BLOCK = re.compile(rf"^{SOLUTION}\n(```python[^\n]*\n.*?\n```)$", re.DOTALL | re.MULTILINE)

# mkdocs-jupyter's page: its scripts (MathJax and Mermaid loaders, a clipboard element) and 0.6 MB of JupyterLab
# styles go; code cells become material's code blocks (its colours and copy button), styled by extra.css.
SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.DOTALL)
CLIPBOARD = re.compile(r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>|<div class="clipboard-copy-txt".*?</div>', re.DOTALL)
CODE_CELL = re.compile(r'<div class="highlight-ipynb hl-(?P<language>\w+)\s*"><pre>(?P<code>.*?)</pre></div>', re.DOTALL)
MARKDOWN_CELL = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>)(.*?)(</div>)', re.DOTALL)
CODE_SPAN = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.DOTALL)
DISPLAY_DOLLARS = re.compile(r"(?:<p>)?\$\$(.+?)\$\$(?:</p>)?", re.DOTALL)
INLINE_DOLLARS = re.compile(r"(?<![\\\w$])\$([^$\n]+?)\$(?![\w$])")
DATA_IMAGE = re.compile(r'<img alt="(?P<alt>[^"]*)" src="data:image/svg\+xml;base64,[^"]+"\s*/?>')
CODE_BLOCK = re.compile(r'<div class="(?:language-\w+ )?highlight"')
HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)

_runs: dict[str, dict] = {}  # src_uri of a chapter -> its stamp, its notebook's name and its figures


def _site(config) -> str:
    return (config.site_url or "").rstrip("/") + "/"


def _name(src_uri: str) -> str:
    return PurePosixPath(src_uri).with_suffix("").as_posix().replace("/", "-")


def colab_url(config, name: str) -> str:
    """Colab opens notebooks from GitHub: the published site's branch holds the generated ones."""
    match = re.match(r"https://github\.com/(?P<repo>[^/]+/[^/]+?)/?$", config.repo_url or "")
    if not match:
        raise PluginError(f"repo_url {config.repo_url!r} is not a GitHub repository: Colab cannot open it")
    branch = config.extra.get("colab_branch", "gh-pages")
    return f"https://colab.research.google.com/github/{match['repo']}/blob/{branch}/{FOLDER}/{name}.ipynb"


# The reader's notebook --------------------------------------------------------------------------------


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


def _prose(text: str, page_uri: str, config) -> str:
    """One Markdown cell's text as Jupyter and Colab render it."""

    def link(ref: re.Match) -> str:
        target = PurePosixPath(page_uri).parent / ref["page"]
        path = "" if target.name == "index" else f"{target}/"
        return f"]({_site(config)}{path}{ref['anchor'] or ''})"

    text = SKIP.sub(lambda m: f"*Not run when the site is built: {m['reason']}*", text)
    text = TOLERANCE.sub(lambda m: f"*These numbers come from training: yours {tolerance_note(m)}.*", text)
    text = FIGURE_REF.sub(lambda m: f"*{m['caption'] or m['alt']}*", text)  # the figure is the output above
    text = PAGE_LINK.sub(link, text)
    text = INLINE_MATHS.sub(lambda m: f"${m[1].strip()}$", text)
    text = QUIZ.sub(lambda m: _quiz_question(m["body"], page_uri, config), text)
    for mark in (DATA_DEPENDENT, DATA_NOTE, EXERCISE, SOLUTION):
        text = text.replace(mark, "")
    return text.strip("\n")


def _quiz_question(body: str, page_uri: str, config) -> str:
    """A quiz without its answers: the question, the choices unmarked, a blank for a number."""
    url = f"{_site(config)}{PurePosixPath(page_uri).with_suffix('')}/"
    lines = []
    for line in body.split("\n---")[0].splitlines():
        if re.match(r"\s*[-*] \[[ x]\]", line):
            lines.append(re.sub(r"\[[ x]\] ", "", line, count=1))
        elif lines and lines[-1].lstrip().startswith("- ") and not line.strip():
            break  # the choices end; what follows is the explanation shown after answering
        else:
            lines.append(re.sub(r"\[\[[^\]]*\]\]", "____", line))
    return "**Question.** " + "\n".join(lines).strip() + f"\n\n*(Answer it on the page, <{url}>.)*"


def _shown(cell):
    """A run's cell as the reader's notebook shows it: `# >` lines dropped where the real output is there,
    and an expected error as `Type: message`, as on the page."""
    cell = copy.deepcopy(cell)
    if cell.outputs:
        cell.source = "\n".join(line for line in cell.source.splitlines() if not is_output(line))
    for output in cell.outputs:
        if output["output_type"] == "error":
            output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
    return cell


def reader_notebook(path: Path, page_uri: str, config, run) -> nbformat.NotebookNode:
    """The page as a notebook: its prose in Markdown cells, each Python block the run's cell with outputs."""
    code = iter(run.cells[1:])
    lines = _flatten_containers(path.read_text(encoding="utf-8").splitlines())
    cells, prose, i = [], [], 0

    def flush():
        source = _prose("\n".join(prose), page_uri, config)
        if source.strip():
            cells.append(nbformat.v4.new_markdown_cell(source, id=f"text-{len(cells)}"))
        prose.clear()

    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            prose.append(lines[i])
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence["ticks"]), len(lines) - 1)
        if language(fence["info"]) in PYTHON:
            flush()
            cell = next(code)
            if "solution" not in cell.metadata["tags"]:  # solutions stay on the site
                cells.append(_shown(cell))
        else:
            prose.extend(line[len(fence["indent"]) :] for line in lines[i : end + 1])
        i = end + 1
    flush()
    url = f"{_site(config)}{PurePosixPath(page_uri).with_suffix('')}/"
    intro = f"*Generated from the page <{url}>, where every block runs in the tests; the outputs are those of that run.*"
    head, _, rest = cells[0].source.partition("\n")
    cells[0].source = "\n\n".join(filter(None, [head, intro, rest.strip("\n")]))
    cells.insert(1, _shown(run.cells[0]))  # the setup cell
    metadata = {key: run.metadata[key] for key in ("kernelspec", "language_info")}  # not the stamp: same bytes
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(metadata))
    nbformat.validate(notebook)
    return notebook


# The build ------------------------------------------------------------------------------------------


def _chapters(config) -> list[tuple[str, str]]:
    """(nav title, src_uri) of every page in nav with a Python block, in nav order."""
    docs = Path(config.docs_dir)

    def walk(items):
        for item in items or []:
            title, value = next(iter(item.items())) if isinstance(item, dict) else (None, item)
            if isinstance(value, list):
                yield from walk(value)
            elif isinstance(value, str) and value.endswith(".md") and (docs / value).exists():
                yield title or PurePosixPath(value).stem.capitalize(), value

    return [(title, uri) for title, uri in walk(config.nav) if python_blocks(docs / uri)]


def on_config(config):
    """A Notebooks section in nav: each chapter's notebook, rendered by mkdocs-jupyter, titled as such."""
    use_config(config)
    chapters = _chapters(config)
    if chapters and config.nav is not None:
        notebooks = [{f"{title}: notebook": f"{FOLDER}/{_name(uri)}/index.ipynb"} for title, uri in chapters]
        config.nav.append({"Notebooks": notebooks})
    return config


def on_nav(nav, config, files):
    """The footer leads from chapter to chapter and from notebook to notebook, never from one to the other."""
    for before, after in zip(nav.pages, nav.pages[1:]):
        if before.file.src_uri.startswith(f"{FOLDER}/") != after.file.src_uri.startswith(f"{FOLDER}/"):
            before.next_page = after.previous_page = None
    return nav


@event_priority(50)  # before mkdocs-jupyter (0) turns the notebooks it finds into pages
def on_files(files, config):
    root = Path(config.config_file_path).resolve().parent
    _runs.clear()
    for page in list(files.documentation_pages()):
        path = Path(page.abs_src_path)
        if not page.src_uri.endswith(".md"):
            continue
        try:
            blocks = python_blocks(path)
        except ValueError as error:  # a missing include, a ~~~ fence or an unknown mark, with its line
            raise PluginError(str(error)) from None
        if not blocks:
            continue
        run = page_run(path)
        stamp = run.metadata["nn_basics"]
        if stamp["failed"] is not None:
            raise PluginError(f"the block at {blocks[stamp['failed']].id} raised:\n{stamp['error']}")
        name = _name(page.src_uri)
        notebook = reader_notebook(path, page.src_uri, config, run)
        files.append(File.generated(config, f"{FOLDER}/{name}.ipynb", content=nbformat.writes(notebook) + "\n"))
        # The page mkdocs-jupyter renders: a real file, because it recomputes abs_src_path from src_dir. Its
        # streams are merged and progress bars' \r applied, as Jupyter shows them (not one box per update).
        for n, cell in enumerate(notebook.cells):
            CoalesceStreamsPreprocessor().preprocess_cell(cell, {}, n)
        text = nbformat.writes(notebook) + "\n"
        rendered = root / PAGES / FOLDER / name / "index.ipynb"
        rendered.parent.mkdir(parents=True, exist_ok=True)
        if not rendered.exists() or rendered.read_text(encoding="utf-8") != text:
            rendered.write_text(text, encoding="utf-8")  # only when changed: `mkdocs serve` stays quiet
        files.append(File(f"{FOLDER}/{name}/index.ipynb", str(root / PAGES), config.site_dir, config.use_directory_urls))
        skipped = sum(bool(b.skip) for b in blocks)
        figures = add_files(run, page, files, config)
        _runs[page.src_uri] = {**stamp, "name": name, "skipped": skipped, "figures": figures}
    return files


# On the pages -----------------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds < 1:
        return "under 1 s"
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {round(seconds % 60):02d} s"


def _versions(run: dict) -> str:
    return f"Python {run['python']}, torch {run['torch']} and matplotlib {run['matplotlib']}"


def _stamp_html(run: dict, page_uri: str, config) -> str:
    download = os.path.relpath(f"{FOLDER}/{run['name']}.ipynb", PurePosixPath(page_uri).parent)
    n = run["skipped"]
    not_run = "" if not n else f" (all but the {'block' if n == 1 else f'{n} blocks'} marked not run)"
    return (
        '<div class="nn-notebook" markdown>\n'
        f'[Download notebook]({download}){{ .md-button download="{run["name"]}.ipynb" }}\n'
        f'[Open in Colab]({colab_url(config, run["name"])}){{ .md-button }}\n'
        f'<p class="nn-stamp">This page\'s code ran in {duration(run["seconds"])} when the site was built, under '
        f"{_versions(run)}{not_run}.</p>\n</div>\n"
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


def _data_note(run: dict) -> str:
    if not run["sample"]:
        return f'<p class="nn-data" markdown="span">This page was built with {run["data"]}.</p>'
    return (
        f'!!! warning "This build used the offline sample"\n    The page and its figures were built with '
        f"{run['data']}. The numbers printed under the code are those of full MNIST; on the sample "
        "they differ (and the tests do not compare them). Set `NN_BASICS_DATA` to a folder with the four "
        "MNIST files, or connect to the internet, and build again.\n"
    )


@event_priority(10)  # before mkdocs-quiz, which adds its script and styles only to pages it is enabled on
def on_page_markdown(markdown, page, config, files):
    page.meta["quiz"] = {"enabled": "<quiz>" in markdown}
    uri = page.file.src_uri
    if uri == "index.md":
        return _learning_path(markdown, uri)
    run = _runs.get(uri)
    if run is None:
        return markdown
    markdown = place(markdown, page, run["figures"])  # first: it checks page lines
    if DATA_NOTE in markdown:
        markdown = markdown.replace(DATA_NOTE, _data_note(run))
    if run["sample"]:
        shown = '<p class="nn-skip">Prints what full MNIST gives; the sample used here gives other numbers.</p>'
        markdown = markdown.replace(DATA_DEPENDENT, shown)
    markdown = SKIP.sub(lambda m: f'<p class="nn-skip" markdown="span">Not run by the tests: {m["reason"]}</p>\n', markdown)
    markdown = SOLUTION_BLOCK.sub(lambda m: '??? success "Solution"\n\n' + textwrap.indent(m[1], "    "), markdown)
    markdown = TOLERANCE.sub(
        lambda m: f'<p class="nn-skip">These numbers come from training: yours {tolerance_note(m)}.</p>\n',
        markdown,
    )
    lines = markdown.splitlines()
    title = next((n for n, line in enumerate(lines) if line.startswith("# ")), -1)
    lines.insert(title + 1, "\n" + _stamp_html(run, uri, config))
    return "\n".join(lines) + "\n"


def _notebook_page(html: str, page, config) -> str:
    """A notebook rendered by mkdocs-jupyter, made to behave like the other pages: no script from another
    host (its MathJax and Mermaid loaders), maths as MathML, figures in both palettes, the buttons and stamp."""
    html = CLIPBOARD.sub("", SCRIPTS.sub("", html))
    html = CODE_CELL.sub(r'<div class="language-\g<language> highlight"><pre><code>\g<code></code></pre></div>', html)
    html = html.replace('class="anchor-link"', 'class="headerlink"').replace('class="jp-Cell-inputWrapper" tabindex="0"', 'class="jp-Cell-inputWrapper"')
    page_dir = PurePosixPath(page.file.url).as_posix()
    # Links to the published site (the downloaded notebook runs in Colab) stay in this copy of the site
    html = html.replace(f'href="{_site(config)}', f'href="{os.path.relpath(".", page_dir)}/')

    def maths(cell: re.Match) -> str:
        parts = CODE_SPAN.split(cell[2])
        for n in range(0, len(parts), 2):  # even parts are outside <code> and <pre>
            try:
                parts[n] = DISPLAY_DOLLARS.sub(lambda m: tex_to_mathml(m[1], display=True), parts[n])
                parts[n] = INLINE_DOLLARS.sub(lambda m: tex_to_mathml(m[1], display=False), parts[n])
            except Exception as error:
                raise PluginError(f"{page.file.src_uri}: cannot render the maths: {error}") from error
        return cell[1] + "".join(parts) + cell[3]

    chapter, run = next((uri, r) for uri, r in _runs.items() if f"{FOLDER}/{r['name']}/index.ipynb" == page.file.src_uri)
    figures = iter(run["figures"])

    def figure(image: re.Match) -> str:
        shown = next(figures)
        return "".join(
            f'<img alt="{entities.escape(shown["alt"])}" src="{os.path.relpath(shown[theme], page_dir)}#only-{theme}" '
            f'width="{shown["width"]}" height="{shown["height"]}" data-text-pt="{shown["text_pt"] or 0}" loading="lazy">'
            for theme in ("light", "dark")
        )

    html = DATA_IMAGE.sub(figure, MARKDOWN_CELL.sub(maths, html))
    _match_toc(page, html)
    back = os.path.relpath(PurePosixPath(chapter).with_suffix("").as_posix() + "/", page_dir)
    download = os.path.relpath(f"{FOLDER}/{run['name']}.ipynb", page_dir)
    buttons = (
        '<div class="nn-notebook">\n'
        f'<p><a class="md-button" href="{download}" download="{run["name"]}.ipynb">Download notebook</a>\n'
        f'<a class="md-button" href="{colab_url(config, run["name"])}">Open in Colab</a>\n'
        f'<a class="md-button" href="{back}/">Read the chapter</a></p>\n'
        f'<p class="nn-stamp">This notebook with its outputs, as it ran in {duration(run["seconds"])} when the site '
        f"was built, under {_versions(run)}.</p>\n</div>\n"
    )
    return re.sub(r"(</h1>)", lambda m: m[1] + "\n" + buttons, html, count=1)


def _match_toc(page, html: str) -> None:
    """mkdocs-jupyter builds the table of contents from a Markdown copy that drops code spans from headings
    (`the-unit-as-an` for "The unit as an `nn.Module`"): take each entry's id and title from the heading."""
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


@event_priority(50)  # before glightbox (0) wraps the figures in their lightbox links
def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith(f"{FOLDER}/") and page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}  # the chapter itself is the search result
        return _notebook_page(html, page, config)
    # Search results show the prose around a code block, not the block's 30 lines (material's search skips them)
    return CODE_BLOCK.sub(r"\g<0> data-search-exclude", html)

