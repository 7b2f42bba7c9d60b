"""One place that sets up the tests: the Agg backend, fixed seeds, the built site, the MNIST files, and the
`--update-outputs` option that writes each block's real output into its page instead of failing."""

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def pytest_addoption(parser):
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="write each block's printed output into its page's # > lines instead of failing on a difference",
    )


def pytest_collection_modifyitems(items):
    """The pages' blocks first: a page's run happens there, and its failures read best there."""
    items.sort(key=lambda item: item.path.name != "test_pages.py")


def pytest_sessionfinish(session):
    from pagecode import rewrite

    pending = getattr(session.config, "nn_rewrites", [])
    for block, output in sorted(pending, key=lambda item: (item[0].page, -item[0].lineno)):  # bottom up
        rewrite(block, output)
        print(f"\nrewrote the output of {block.id}")


@pytest.fixture(autouse=True)
def seeded():
    """Unit tests start from the same random state; pages seed themselves, as readers do."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def mnist_folder():
    """The folder with the four MNIST files. Without NN_BASICS_DATA the default folder is tried and the test
    skips if it lacks them; a folder NN_BASICS_DATA names must hold them (CI gives the data: nothing skips)."""
    from snippets import mnist_data

    folder = mnist_data.data_folder()
    if all(mnist_data.find(folder, name) for name, _ in mnist_data.FILES.values()):
        return folder
    if os.environ.get("NN_BASICS_DATA"):
        pytest.fail(f"NN_BASICS_DATA={os.environ['NN_BASICS_DATA']} does not hold the four MNIST files")
    pytest.skip(f"needs full MNIST: set NN_BASICS_DATA to a folder with the four files (not in {folder})")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once per test run with `mkdocs build --strict`: no warning allowed."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not re.search(r"^WARNING", result.stderr, re.MULTILINE), result.stderr
    return site
