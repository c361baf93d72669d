"""The telemetry contract against its producer: the installed Dagster's TelemetryEntry, its
telemetry call sites and the web UI it ships. An upgrade of Dagster that changes any of
them fails here, naming what to update in dop_telemetry.ingestion.contract."""

import ast
import importlib.util
import inspect
import re
import typing
from collections.abc import Mapping
from pathlib import Path

import yaml

from dop_telemetry.ingestion import contract

ROOT = Path(__file__).resolve().parents[3]
# Where Dagster logs telemetry from: the core, its webserver and its GraphQL layer.
PRODUCER_PACKAGES = ("dagster", "dagster_shared", "dagster_webserver", "dagster_graphql")
LOGGING_CALLS = {"log_action": 1, "log_telemetry_action": 1, "TelemetryEntry": 0}
_JSON_TYPE_OF = {str: ("VARCHAR",), bool: ("BOOLEAN",)}


def _package_dir(name: str) -> Path:
    return Path(importlib.util.find_spec(name).origin).parent


def test_fields_are_the_fields_of_dagsters_telemetry_entry():
    from dagster_shared.telemetry import TelemetryEntry

    assert contract.FIELD_NAMES == TelemetryEntry._fields  # same names, same order
    hints = typing.get_type_hints(TelemetryEntry)
    for field in contract.FIELDS:
        hint = hints[field.name]
        expected = (
            ("OBJECT",) if typing.get_origin(hint) in (Mapping, dict) else _JSON_TYPE_OF[hint]
        )
        assert field.json_types == expected, f"{field.name}: Dagster declares {hint}"


def test_required_fields_are_what_every_client_version_sends():
    """The identity fields are required parameters of TelemetryEntry. user_id is one too,
    but only since early 2026: clients from before do not send it, so it stays optional.
    A new required parameter fails here, to be judged the same way."""
    from dagster_shared.telemetry import TelemetryEntry

    parameters = inspect.signature(TelemetryEntry.__new__).parameters.values()
    required = {p.name for p in parameters if p.default is p.empty and p.name != "cls"}
    assert set(contract.REQUIRED) <= required
    assert required - set(contract.REQUIRED) == {"user_id"}
    assert set(contract.REQUIRED) == {"event_id", "action", "client_time", "instance_id"}


def _module_constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }


def _actions_logged_by_dagster() -> tuple[set[str], list[str]]:
    """Every action the producer packages log, resolved from their source; and the call
    sites whose action could not be resolved (each must be understood, not guessed)."""
    from dagster._core import telemetry

    constants = _module_constants(ast.parse(inspect.getsource(telemetry)))
    wrapped = {
        f"{name}_{phase}"
        for name in telemetry.TELEMETRY_WHITELISTED_FUNCTIONS
        for phase in ("started", "ended")
    }
    found: set[str] = set()
    unresolved: list[str] = []
    for package in PRODUCER_PACKAGES:
        for path in _package_dir(package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            if not any(name in source for name in LOGGING_CALLS):
                continue
            tree = ast.parse(source)
            local = {**constants, **_module_constants(tree)}
            for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
                # values assigned to a variable named `action` in this function
                assigned = [
                    node.value
                    for node in ast.walk(function)
                    if isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets)
                ]
                for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                    name = getattr(call.func, "id", getattr(call.func, "attr", None))
                    if name not in LOGGING_CALLS:
                        continue
                    keyword = {k.arg: k.value for k in call.keywords}
                    position = LOGGING_CALLS[name]
                    if "action" in keyword:
                        argument = keyword["action"]
                    elif len(call.args) > position:
                        argument = call.args[position]
                    else:
                        continue  # a definition's own signature, or no action given
                    candidates = [argument]
                    if isinstance(argument, ast.Name) and argument.id == "action":
                        if function.name in ("log_action", "log_telemetry_action") or not assigned:
                            continue  # passes its caller's action through
                        candidates = assigned
                    for node in candidates:
                        if isinstance(node, ast.Constant) and isinstance(node.value, str):
                            found.add(node.value)
                        elif isinstance(node, ast.Name) and node.id in local:
                            found.add(local[node.id])
                        elif isinstance(node, ast.BinOp) and "__name__" in ast.unparse(node):
                            found |= wrapped  # the telemetry_wrapper's f.__name__ + suffix
                        else:
                            unresolved.append(f"{path}:{call.lineno}: {ast.unparse(node)}")
    return found, unresolved


def test_actions_are_the_ones_dagsters_call_sites_log():
    found, unresolved = _actions_logged_by_dagster()
    assert not unresolved, f"telemetry call sites to read and add to the contract: {unresolved}"
    backend = set(contract.ACTIONS) - set(contract.UI_ACTIONS)
    assert found == backend, (
        f"Dagster logs {sorted(found - backend)} that the contract lacks; "
        f"the contract lists {sorted(backend - found)} that Dagster no longer logs"
    )


def test_ui_actions_are_the_ones_the_shipped_web_ui_logs():
    """The web UI logs through the LogTelemetry mutation, with the actions of an enum in
    its JavaScript bundle (shipped minified inside dagster-webserver)."""
    bundle = _package_dir("dagster_webserver") / "webapp" / "build"
    enums = set()
    for path in bundle.rglob("*.js"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "GRAPHQL_QUERY_COMPLETED" not in text:
            continue
        for body in re.findall(r"function\(\w\)\{return ((?:\w\.\w+=\"\w+\",)+)\w\}", text):
            values = set(re.findall(r"=\"(\w+)\"", body))
            if "GRAPHQL_QUERY_COMPLETED" in values:
                enums |= values
    assert enums == set(contract.UI_ACTIONS)


def test_the_dbt_source_lists_the_raw_tables_columns_in_order():
    sources = yaml.safe_load(
        (ROOT / "dbt/models/staging/prod_telemetry/_prod_telemetry__sources.yml").read_text()
    )
    [table] = [
        t for t in sources["sources"][0]["tables"] if t["name"] == "oss_telemetry_events_raw"
    ]
    assert tuple(c["name"] for c in table["columns"]) == contract.RAW_COLUMNS
    assert all(c.get("description") for c in table["columns"])
    for column in table["columns"][: len(contract.FIELDS)]:
        tests = column.get("data_tests", [])
        assert ("not_null" in tests) == (column["name"] in contract.REQUIRED), column["name"]


def test_every_accepted_values_test_on_an_action_column_is_the_contracts():
    checked = []
    for path in (ROOT / "dbt" / "models").rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if column["name"] != "action" or "accepted_values" not in test:
                        continue
                    accepted = test["accepted_values"]
                    values = accepted.get("values") or accepted["arguments"]["values"]
                    assert sorted(values) == sorted(contract.ACTIONS), model["name"]
                    checked.append(model["name"])
    assert {"stg_prod_telemetry__events", "fct_oss_action_usage_daily"} <= set(checked)
