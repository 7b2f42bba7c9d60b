"""How long the site takes to build: cold, again with nothing changed, and after a prose-only edit.

usage: NN_BASICS_DATA=/path/to/mnist python bench/build.py

It clones the committed state of this repository into a temporary folder (so no run is cached there), builds
it with `mkdocs build --strict` three times with this Python, and prints the seconds of each and the seconds
each page's code took in the cold build. A benchmark, not a test: it prints, asserts nothing.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(clone: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "site"],
        cwd=clone,
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "nn-basics"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        cold = build(clone)
        warm = build(clone)
        page = clone / "docs" / "losses.md"
        page.write_text(page.read_text() + "\nOne more sentence of prose.\n")
        prose = build(clone)
        runs = sorted((clone / ".cache" / "runs").glob("*.ipynb"))
        seconds = {
            r.name.split(".")[0]: json.loads(r.read_text())["metadata"]["nn_basics"][
                "seconds"
            ]
            for r in runs
        }
    print(f"cold build (every page's code runs): {cold:6.1f} s")
    print(f"second build, nothing changed:        {warm:6.1f} s")
    print(f"after a prose-only edit:              {prose:6.1f} s")
    for name, spent in seconds.items():
        print(f"  {name:18s} code ran in {spent:5.1f} s")


if __name__ == "__main__":
    main()
