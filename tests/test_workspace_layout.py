"""Each location is a deploy unit: its locked dependency closure holds no other location,
and the files that deploy it name every location once."""

import tomllib
from pathlib import Path

import yaml
from helpers import LOCATION_NAMES

ROOT = Path(__file__).resolve().parents[1]


def _closure(lock: dict, name: str) -> set[str]:
    packages = {p["name"]: p for p in lock["package"]}
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(dep["name"] for dep in packages[current].get("dependencies", []))
    return seen


def test_each_location_installs_alone_from_the_one_lock():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locations = {f"dop-{name.replace('_', '-')}" for name in LOCATION_NAMES}
    for package in locations:
        closure = _closure(lock, package)
        assert "dop-shared" in closure
        assert closure & locations == {package}, f"{package} pulls in {closure & locations}"
        assert "pytest" not in closure and "dagster-webserver" not in closure
        assert "dop-devtools" not in closure, f"{package} would ship the development tools"
    assert not list(ROOT.glob("locations/*/uv.lock")), "one lock for the whole workspace"


def test_deploy_and_local_workspace_files_list_every_location_once():
    cloud = yaml.safe_load((ROOT / "dagster_cloud.yaml").read_text())
    local = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    assert [loc["location_name"] for loc in cloud["locations"]] == LOCATION_NAMES
    assert [e["python_module"]["location_name"] for e in local["load_from"]] == LOCATION_NAMES
    for entry in cloud["locations"]:
        name = entry["location_name"]
        assert entry["code_source"]["module_name"] == f"dop_{name}.definitions"
        dockerfile = (ROOT / "locations" / name / "Dockerfile").read_text()
        assert f"uv sync --package dop_{name} --frozen" in dockerfile


def test_the_shared_package_names_no_location_and_ships_no_dev_tool():
    """dop_shared is below the locations: importing one by name (even through importlib)
    would make every image depend on all of them."""
    source = "\n".join(p.read_text() for p in (ROOT / "shared" / "src").rglob("*.py"))
    for name in LOCATION_NAMES:
        assert f"dop_{name}" not in source
    assert "dop_{" not in source and "dop_devtools" not in source
    assert not (ROOT / "shared" / "src" / "dop_shared" / "sample_data").exists()
