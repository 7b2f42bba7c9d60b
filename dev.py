#!/usr/bin/env python3
"""The project's commands, with nothing to install first:

    python3.11 dev.py serve   build the site, serve it on http://127.0.0.1:8000, reload on every edit
    python3.11 dev.py test    run every test: the pages' code, the unit tests, a strict build
    python3.11 dev.py build   build the static site into site/

Each one creates the virtual environment (.venv, or $NN_BASICS_VENV) when it is missing, reinstalls
the project into it when pyproject.toml has changed, then runs the tool from it. Extra arguments are
passed on: `python3.11 dev.py test -k perceptron`.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("NN_BASICS_VENV", ROOT / ".venv"))
BIN = VENV / "bin"
STAMP = VENV / ".nn-basics-installed"
COMMANDS = {
    "serve": ["mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", "--livereload"],
    "test": ["pytest"],
    "build": ["mkdocs", "build", "--strict", "--site-dir", "site"],
}


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"dev.py: creating the virtual environment {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    print("dev.py: installing the project and its dependencies (a few minutes the first time)", flush=True)
    subprocess.run([BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=ROOT, check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.version_info[:2] != (3, 11):
        print(
            f"dev.py needs Python 3.11 (torch 2.13.0's CPU wheel is built for it), not {sys.version.split()[0]}:"
            f" run it as `python3.11 dev.py {argv[0]}`",
            file=sys.stderr,
        )
        return 2
    ensure_venv()
    tool, *args = COMMANDS[argv[0]]
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # mkdocs-material's notice about MkDocs 2
    os.chdir(ROOT)
    os.execv(BIN / tool, [tool, *args, *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
