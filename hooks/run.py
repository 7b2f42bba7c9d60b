"""The one run of a page's code: its Python blocks as notebook cells, executed once in a fresh Jupyter kernel.

Everything else reads this run: the tests compare each block's output with the page, the build takes the
figures, the downloadable notebook and the page's stamp from it. A run is cached under `.cache/runs/`,
keyed by the code cells, the `snippets` modules they import, this harness, the library versions, the MNIST
folder (resolved, with the files it holds) and the CPU settings that change float results; a page runs
again only when one of these changes. A run in which a block raised unexpectedly is never cached.

    python hooks/run.py docs/PAGE.md     prints what each block of the page printed
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import nbformat
from pagecode import ROOT, is_output, python_blocks, site_config

log = logging.getLogger("mkdocs.hooks.run")

KERNEL_SETUP = Path(__file__).with_name("kernel.py")
CACHE = ROOT / ".cache" / "runs"
PACKAGES = ("torch", "numpy", "matplotlib", "ipykernel", "nbclient")
CPU_SETTINGS = ("ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MKL_ENABLE_INSTRUCTIONS")
PROBE = """\
import json, platform, sys
from importlib.metadata import version
mnist = sys.modules.get("snippets.mnist_data")
data = mnist.load_mnist() if mnist and mnist.loaded_source() else None
print(json.dumps({"python": platform.python_version(), "torch": version("torch"), "matplotlib": version("matplotlib"),
                  "data": data and data.describe(), "sample": bool(data) and data.source == "sample"}))
"""

_runs: dict[str, nbformat.NotebookNode] = {}  # key -> the executed notebook, for this process


def code_cells(page: Path) -> list:
    """The notebook's code: a setup cell for readers (figures inline; `snippets` installed in Colab), then
    one cell per block, exactly as the page shows it."""
    setup = nbformat.v4.new_code_cell(
        id="setup",
        source="# setup: figures shown inline, and this site's `snippets` package installed where it is missing (Colab)\n"
        "%matplotlib inline\ntry:\n    import snippets\nexcept ImportError:\n"
        f"    %pip install --quiet --no-deps git+{site_config().repo_url}"
    )
    setup.metadata["tags"] = ["setup"]
    cells = [setup]
    for block in python_blocks(page):
        cell = nbformat.v4.new_code_cell(block.code.strip("\n"), id=f"line-{block.lineno}")  # ids stable
        tags = ["skip-execution"] * bool(block.skip) + ["raises-exception"] * block.raises + [block.role] * bool(block.role)
        cell.metadata["tags"] = tags
        cell.metadata["nn_basics"] = {"block": block.id}
        cells.append(cell)
    return cells


def imported_snippets(source: str) -> set[str]:
    """The names of the `snippets` modules that this Python source imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = f"snippets.{node.module or ''}".rstrip(".") if node.level else node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name.split(".")[1] for name in names if name.startswith("snippets.")}
    return found


def snippet_modules(sources: list[str]) -> set[Path]:
    """The `snippets` module files these sources import, directly or through each other."""
    todo = [name for source in sources for name in imported_snippets(source)]
    found: set[Path] = set()
    while todo:
        path = ROOT / "snippets" / f"{todo.pop()}.py"
        if path.exists() and path not in found:
            found.add(path)
            todo += imported_snippets(path.read_text(encoding="utf-8"))
    return found


def data_folder() -> Path:
    """The MNIST folder snippets/mnist_data.py reads, resolved: two spellings of one folder are one key."""
    return Path(os.environ.get("NN_BASICS_DATA") or "~/.cache/nn-basics/mnist").expanduser().resolve()


def code(source: str) -> str:
    """The source without its `# >` lines: what runs. Rewriting a shown output does not change it."""
    return "\n".join(line for line in source.splitlines() if not is_output(line))


def key(cells: list) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes() + KERNEL_SETUP.read_bytes())
    for cell in cells:
        digest.update(json.dumps([code(cell.source), cell.metadata.get("tags")]).encode())
    modules = snippet_modules([cell.source for cell in cells[1:]])
    for path in sorted(modules):
        digest.update(path.read_bytes())
    if ROOT / "snippets" / "mnist_data.py" in modules:
        folder = data_folder()
        files = sorted((p.name, p.stat().st_size) for p in folder.glob("*-ubyte*")) if folder.is_dir() else []
        digest.update(json.dumps([str(folder), files]).encode())
    settings = [version(package) for package in PACKAGES] + [os.environ.get(name) for name in CPU_SETTINGS]
    digest.update(json.dumps(settings).encode())
    return digest.hexdigest()[:16]


def page_run(page: Path) -> nbformat.NotebookNode:
    """The page's executed notebook: its setup cell, then one code cell per block, with outputs; its
    metadata `nn_basics` holds the versions, the seconds, the data used and, if a block raised, which one."""
    cells = code_cells(page)
    run_key = key(cells)
    if run_key not in _runs:
        name = page.relative_to(ROOT / "docs").with_suffix("").as_posix().replace("/", "-")
        stored = CACHE / f"{name}.{run_key}.ipynb"
        if stored.exists():
            _runs[run_key] = nbformat.read(stored, as_version=4)
        else:
            log.info(f"running {page.relative_to(ROOT)}")
            _runs[run_key] = notebook = execute(cells)
            if notebook.metadata["nn_basics"]["failed"] is None:
                CACHE.mkdir(parents=True, exist_ok=True)
                partial = stored.with_suffix(".partial")
                nbformat.write(notebook, partial)
                os.replace(partial, stored)
    for cell, current in zip(_runs[run_key].cells, cells):
        cell.source = current.source  # the page's `# >` lines as they are now
    return _runs[run_key]


def execute(cells: list) -> nbformat.NotebookNode:
    """Run the cells in a fresh kernel, top to bottom, stopping at a block that raises unexpectedly."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    harness = nbformat.v4.new_code_cell(f"__import__('runpy').run_path({str(KERNEL_SETUP)!r})")
    probe = nbformat.v4.new_code_cell(PROBE)
    notebook = nbformat.v4.new_notebook(cells=[cells[0], harness, *cells[1:], probe])
    stamp = {"seconds": 0.0, "failed": None, "error": None}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix="nn-basics-kernel-") as sockets:
        # local socket files rather than TCP ports: nothing listens on the network
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
        manager.start_kernel(env=env, cwd=str(ROOT))
        client = NotebookClient(notebook, km=manager, timeout=1800, allow_errors=False, record_timing=False)
        try:
            with client.setup_kernel():
                for index, cell in enumerate(notebook.cells[:-1]):
                    start = time.perf_counter()
                    try:
                        client.execute_cell(cell, index, store_history=cell is not harness)
                    except CellExecutionError as error:
                        stamp["failed"], stamp["error"] = max(index - 2, 0), str(error)  # the block's index
                        break
                    if cell is not harness:
                        stamp["seconds"] += time.perf_counter() - start
                client.execute_cell(probe, len(notebook.cells) - 1, store_history=False)  # after a failure too
        finally:
            manager.shutdown_kernel(now=True)
    stamp.update(json.loads(probe.outputs[0]["text"]))
    stamp["seconds"] = round(stamp["seconds"], 1)
    notebook.cells = [cell for cell in notebook.cells if cell is not harness and cell is not probe]
    notebook.metadata["nn_basics"] = stamp
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def printed(cell) -> str:
    """What a cell printed, as a page shows it: stdout (warnings included), a value, then `Type: message`."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream" and output["name"] == "stdout":  # stderr: progress bars
            parts.append(output["text"])
        elif output["output_type"] == "execute_result" and "image/svg+xml" not in output["data"]:
            parts.append(output["data"].get("text/plain", "") + "\n")
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}\n")
    return "\n".join(line.rstrip() for line in "".join(parts).strip("\n").splitlines())


if __name__ == "__main__":
    import sys

    page = Path(sys.argv[1]).resolve()
    notebook = page_run(page)
    for block, cell in zip(python_blocks(page), notebook.cells[1:]):
        print(f"--- {block.id}" + (f" (skipped: {block.skip})" if block.skip else ""))
        print(printed(cell))
    if notebook.metadata["nn_basics"]["error"]:
        print(notebook.metadata["nn_basics"]["error"])
