"""One place that sets up determinism for the tests: the Agg backend, CPU, fixed seeds."""

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("NN_BASICS_DATA", str(ROOT.parent / "shared" / "data" / "mnist"))


@pytest.fixture(autouse=True)
def seeded():
    """Unit tests start from the same random state; pages seed themselves, as readers do."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once per test run with `mkdocs build --strict`: no warning allowed."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not re.search(r"^WARNING", result.stderr, re.MULTILINE), result.stderr
    return site
