"""pip users (pyproject.toml) and conda users (environment.yml) get the same dependencies."""

import re
import tomllib

import yaml

from analysis import paths


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((paths.REPO_DIR / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r) for r in project["dependencies"]}
    pip_side |= {_name(r) for r in project["optional-dependencies"]["dev"]}
    environment = yaml.safe_load((paths.REPO_DIR / "environment.yml").read_text())
    conda_side = {_name(d) for d in environment["dependencies"] if isinstance(d, str)}
    conda_side -= {"python", "pip"}
    assert conda_side == pip_side


def test_versions_agree_too():
    project = tomllib.loads((paths.REPO_DIR / "pyproject.toml").read_text())["project"]
    pip_pins = {_name(r): r[len(_name(r)):] for r in
                project["dependencies"] + project["optional-dependencies"]["dev"]}
    environment = yaml.safe_load((paths.REPO_DIR / "environment.yml").read_text())
    conda_pins = {_name(d): d[len(_name(d)):] for d in environment["dependencies"]
                  if isinstance(d, str) and _name(d) not in {"python", "pip"}}
    assert conda_pins == pip_pins


def test_make_lab_opens_at_the_root_on_the_notebooks_and_runs_as_root_too():
    import os
    import subprocess

    plan = subprocess.run(["make", "-n", "lab"], cwd=paths.REPO_DIR, capture_output=True,
                          text=True, check=True).stdout
    command = next(line for line in plan.splitlines() if "jupyter lab" in line)
    assert "--ServerApp.root_dir=. " in command, "data/raw/ must be reachable in the browser"
    assert "--LabApp.default_url=/lab/tree/notebooks" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)
