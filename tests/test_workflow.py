"""The publishing workflow is valid GitHub Actions syntax (it cannot run here): checked against the
workflow schema that check-jsonschema ships, offline."""

import subprocess
import sys

import pytest
from pagecode import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def lint(path):
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        check=False,
        text=True,
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_the_workflow_is_valid(workflow):
    result = lint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_catches_a_broken_workflow(tmp_path):
    text = WORKFLOWS[0].read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
    (tmp_path / "broken.yml").write_text(text)
    result = lint(tmp_path / "broken.yml")
    assert result.returncode != 0 and "runs_on" in result.stdout + result.stderr


def test_the_workflow_publishes_what_the_tests_checked():
    text = WORKFLOWS[0].read_text()
    assert text.index("run: .ci/run") < text.index("dev.py build") < text.index("actions-gh-pages")
    assert "NN_BASICS_DATA" in text  # the full MNIST files, not the offline sample
