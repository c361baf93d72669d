"""The local Dagster UI in headless Chromium: what a person sees after the quickstart,
and before it (no data yet).

The quickstart part runs `dop-materialize-all` over the session's sample into a
temporary instance and data folder, then serves the three locations with
`dagster-webserver -w workspace.yaml`. Assertions are on what is rendered; the
GraphQL endpoint only says what to expect (an asset's upstreams, its checks, the
runs), and DuckDB says what the tables hold. Screenshots go to screenshots/ui/
(git-ignored), one per test, taken at the end of the test even when it fails.
"""

from __future__ import annotations

import gzip
import os
import re
import urllib.parse

import pytest
from dagster_ui import (
    ERROR_PHRASES,
    DagsterWebserver,
    Quickstart,
    chromium_executable,
    new_instance,
)
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from dop_devtools.sample_data.telemetry import FUTURE_FIELD
from dop_shared.paths import TELEMETRY_EVENTS_DIR, repo_root
from dop_shared.warehouse import DuckDBWarehouse

# All tests of this module run on one pytest-xdist worker (`--dist loadfile`, in
# pyproject.toml), so the quickstart and its webserver are set up once.

REPORT = ["purina", "reporting", "rpt_weekly_platform_health"]
DAILY_RAW_EVENTS = ["purina", "prod_telemetry", "oss_telemetry_events_raw"]
# One asset per location, for the instance with no data yet.
ONE_ASSET_PER_LOCATION = {
    "telemetry": ["purina", "telemetry", "fct_oss_active_instances_weekly"],
    "cloud_usage": ["purina", "cloud_usage", "fct_cloud_organization_usage_daily"],
    "reporting": REPORT,
}
SCREENSHOTS = repo_root() / "screenshots" / "ui"
NUX_TITLE = "Join the Dagster community"  # the webapp's CommunityNux dialog
RUN_PARENT = "query($id: ID!) {runOrError(runId: $id) {... on Run {parentRunId}}}"

# The UI answers in seconds, but three code servers and dbt share two busy cores.
expect.set_options(timeout=60_000)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium() -> Browser:
    path = chromium_executable()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("No Chromium in CI: .ci/run installs Debian's `chromium` package.")
        pytest.skip("No Chromium: `apt-get install chromium` or set DOP_CHROMIUM (CI runs this).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request) -> Page:
    context = chromium.new_context(viewport={"width": 1920, "height": 1000})
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png")
    context.close()


@pytest.fixture(scope="module")
def quickstart(dbt_manifest, sample_sources, tmp_path_factory):
    """The quickstart's materialization of every asset, started in the background, and
    the UI over the same instance loading its code locations meanwhile."""
    root = tmp_path_factory.mktemp("ui_quickstart")
    data_dir = root / "data"
    data_dir.mkdir()
    (data_dir / "sources").symlink_to(sample_sources, target_is_directory=True)
    dagster_home = new_instance(root)
    run = Quickstart(dagster_home, data_dir)
    server = DagsterWebserver(dagster_home, data_dir)
    yield run, server
    server.stop()
    run.stop()


@pytest.fixture(scope="module")
def ui(quickstart) -> DagsterWebserver:
    """The UI once every run of the quickstart has finished."""
    run, server = quickstart
    run.wait()
    server.wait_until_loaded()
    return server


# ---------------------------------------------------------------- helpers


def asset_path(key: list[str]) -> str:
    return "/assets/" + "/".join(key)


def asset_node(ui: DagsterWebserver, key: list[str]) -> dict:
    query = """query($key: AssetKeyInput!) {assetNodeOrError(assetKey: $key) {
      __typename ... on AssetNode {
        description kinds groupName
        owners {... on TeamAssetOwner {team} ... on UserAssetOwner {email}}
        repository {location {name}}
        metadataEntries {label ... on TextMetadataEntry {text}}
        assetChecksOrError {... on AssetChecks {checks {name}}}
        dependencies {asset {assetKey {path} groupName repository {location {name}}}}}}}"""
    node = ui.graphql(query, {"key": {"path": key}})["assetNodeOrError"]
    assert node["__typename"] == "AssetNode", f"{'/'.join(key)} is not in the workspace"
    return node


def field(page: Page, label: str):
    """A labelled value of the asset page ("Owners", "Storage", "Row count"...)."""
    return page.get_by_text(label, exact=True).locator("xpath=..")


def table_row(page: Page, has: Locator) -> Locator:
    """The row holding `has` in one of the UI's tables (virtualized divs, not <tr>)."""
    return page.locator('[class*="VirtualizedTable_row"]').filter(has=has)


def re_execute_all(page: Page, ui: DagsterWebserver, run_id: str) -> str:
    """Click "Re-execute all" on a run's page; return the id of the run it opens (queued:
    no daemon runs here). A run the UI cannot launch again opens an error dialog instead."""
    page.goto(f"{ui.base_url}/runs/{run_id}")
    button = page.get_by_role("button", name="Re-execute all")
    expect(button).to_be_enabled()
    button.click()
    page.wait_for_function(
        f"() => !location.pathname.includes('{run_id}') || document.querySelector('[role=dialog]')",
        timeout=60_000,
    )
    dialogs = page.get_by_role("dialog").all_inner_texts()
    assert dialogs == [], f"Re-execute all opened a dialog: {dialogs[0][:2000]}"
    assert_no_error_shown(page)
    return re.search(r"/runs/([0-9a-f-]{36})", page.url).group(1)


def assert_no_error_shown(page: Page) -> None:
    text = page.locator("body").inner_text()
    assert [p for p in ERROR_PHRASES if p in text] == [], text[:2000]


def assert_locations_loaded(page: Page, ui: DagsterWebserver) -> None:
    entries = ui.wait_until_loaded()
    # a location that failed to import is LOADED too, with a PythonError for its location
    errors = {
        e["name"]: e["locationOrLoadError"]
        for e in entries
        if e["loadStatus"] != "LOADED" or e["locationOrLoadError"]["__typename"] == "PythonError"
    }
    assert errors == {}
    page.goto(ui.base_url + "/locations")
    expect(page.get_by_text("3 code locations")).to_be_visible()
    for entry in entries:
        row = table_row(page, page.locator(f'a[href="/locations/{entry["name"]}/"]'))
        expect(row).to_contain_text("Loaded")
    assert_no_error_shown(page)


def assert_no_community_dialog(page: Page, ui: DagsterWebserver) -> None:
    """dagster.yaml's `nux: enabled: false`: the instance tells the webapp not to show it
    (the webapp opens the dialog a second after it asked, so look after two)."""
    assert ui.graphql("{shouldShowNux}")["shouldShowNux"] is False
    page.wait_for_timeout(2000)
    expect(page.get_by_text(NUX_TITLE)).to_have_count(0)


# ---------------------------------------------------------------- before any data


def test_before_any_data_every_location_loads_and_says_never_materialized(
    chromium, quickstart, page, tmp_path
):
    """Bad input: the UI started before the quickstart made anything (no sample files,
    no warehouse, an empty instance). `quickstart` is requested only to start the
    tests below: their materialization goes on while this UI loads."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = DagsterWebserver(new_instance(tmp_path), data_dir)
    try:
        assert_locations_loaded(page, server)
        for location, key in ONE_ASSET_PER_LOCATION.items():
            page.goto(server.base_url + asset_path(key))
            expect(field(page, "Latest materialization")).to_contain_text("Never materialized")
            expect(field(page, "Code location")).to_contain_text(location)
            assert_no_error_shown(page)
        assert_no_community_dialog(page, server)
    finally:
        server.stop()


# ---------------------------------------------------------------- after the quickstart


def test_three_locations_loaded_without_errors_or_community_dialog(chromium, ui, page):
    assert_locations_loaded(page, ui)
    assert_no_community_dialog(page, ui)


def test_global_lineage_draws_the_weekly_report_with_upstreams_from_other_locations(
    chromium, ui, page
):
    report = asset_node(ui, REPORT)
    upstream = [d["asset"] for d in report["dependencies"]]
    assert {u["repository"]["location"]["name"] for u in upstream} >= {"telemetry", "cloud_usage"}

    # The global lineage filtered to the report and one layer up, its groups open,
    # top to bottom (the graph fits the window, names in full).
    query = urllib.parse.quote(f'1+key:"{"/".join(REPORT)}"', safe="")
    groups = sorted({report["groupName"], *(u["groupName"] for u in upstream)})
    expanded = urllib.parse.quote(",".join(f"global@global:{g}" for g in groups), safe="")
    page.add_init_script("localStorage.setItem('asset-graph-direction', '\"vertical\"')")
    page.goto(f"{ui.base_url}/asset-groups~{query}/?expanded={expanded}")

    for key in [REPORT, *(u["assetKey"]["path"] for u in upstream)]:
        # the node's name (truncated on screen, in full in its tooltip)
        expect(page.locator(f'[data-tooltip="{key[-1]}"]')).to_be_visible()
        # and its dbt tests as asset checks, all passed
        checks = page.locator(f'a[href="{asset_path(key)}?view=checks"]')
        expect(checks).to_have_text(re.compile(r"^\s*(\d+) / \1 Passed\s*$"))
    for group in groups:
        expect(page.get_by_text(group, exact=True).first).to_be_visible()
    assert_no_error_shown(page)


def test_asset_page_shows_description_owner_kinds_table_rows_and_columns(chromium, ui, page):
    node = asset_node(ui, REPORT)
    table = next(e["text"] for e in node["metadataEntries"] if e["label"] == "dagster/table_name")
    database, schema, name = table.split(".")
    with DuckDBWarehouse(data_dir=str(ui.data_dir)).connect(read_only=True) as conn:
        [(rows,)] = conn.execute(f"select count(*) from {table}").fetchall()
        columns = conn.execute(
            "select column_name, data_type from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? order by column_index",
            [database.lower(), schema, name],
        ).fetchall()
    assert rows > 0 and columns

    page.goto(ui.base_url + asset_path(REPORT))
    expect(page.get_by_text(node["description"][:80]).first).to_be_visible()
    [owner] = node["owners"]
    expect(field(page, "Owners")).to_contain_text(owner.get("team") or owner["email"])
    for kind in node["kinds"]:  # dbt, duckdb (shown as "DuckDB")
        expect(field(page, "Kinds")).to_contain_text(re.compile(kind, re.IGNORECASE))
    expect(field(page, "Storage")).to_contain_text(table)
    expect(field(page, "Row count")).to_have_text(re.compile(rf"^\s*Row count\s*{rows:,}\s*$"))

    schema_rows = page.locator("table").filter(has_text="Column name").locator("tbody tr")
    expect(schema_rows).to_have_count(len(columns))
    shown = schema_rows.evaluate_all(
        "rows => rows.map(r => [...r.cells].slice(0, 2).map(c => c.innerText.trim()))"
    )
    assert [tuple(r) for r in shown] == columns
    assert_no_error_shown(page)


def test_checks_of_the_weekly_report_passed(chromium, ui, page):
    node = asset_node(ui, REPORT)
    checks = [c["name"] for c in node["assetChecksOrError"]["checks"]]
    assert checks

    page.goto(f"{ui.base_url}{asset_path(REPORT)}?view=checks")
    expect(page.get_by_text(f"Checks ({len(checks)})")).to_be_visible()
    for check in checks:
        # the check's name (truncated on screen, in full in its title) and its status
        entry = page.locator(f'[title="{check}"]').locator("xpath=..")
        expect(entry).to_contain_text("Succeeded")
    assert_no_error_shown(page)


def test_daily_partitioned_asset_fully_materialized_over_the_sample(chromium, ui, page):
    days = len(list((ui.data_dir / "sources" / TELEMETRY_EVENTS_DIR).glob("*.json.gz")))
    query = """query($key: AssetKeyInput!) {assetNodeOrError(assetKey: $key) {
      ... on AssetNode {partitionStats {numPartitions numMaterialized numFailed}}}}"""
    stats = ui.graphql(query, {"key": {"path": DAILY_RAW_EVENTS}})["assetNodeOrError"]
    # every partition is a sample day, and every one is materialized
    assert stats["partitionStats"] == {
        "numPartitions": days,
        "numMaterialized": days,
        "numFailed": 0,
    }

    page.goto(f"{ui.base_url}{asset_path(DAILY_RAW_EVENTS)}?view=partitions")
    expect(page.get_by_text(f"{days} Partitions Selected", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Materialized ({days})", exact=True)).to_be_visible()
    expect(page.get_by_text("Missing (0)", exact=True)).to_be_visible()
    expect(page.get_by_text("Failed (0)", exact=True)).to_be_visible()
    assert_no_error_shown(page)


def test_a_check_failing_on_some_days_shows_those_days_failed_and_the_others_passed(
    chromium, ui, page
):
    # the days whose file carries the sample's field from a future Dagster release
    folder = ui.data_dir / "sources" / TELEMETRY_EVENTS_DIR
    days = sorted(path.name[:10] for path in folder.glob("*.json.gz"))
    drifted = [
        d
        for d in days
        if FUTURE_FIELD.encode() in gzip.decompress((folder / f"{d}.json.gz").read_bytes())
    ]
    assert 0 < len(drifted) < len(days)
    query = """query($key: AssetKeyInput!) {assetNodeOrError(assetKey: $key) {
      ... on AssetNode {assetChecksOrError {... on AssetChecks {checks {name
        partitionStatuses {... on AssetCheckTimePartitionStatuses {
          ranges {startKey endKey status}}}}}}}}}"""
    node = ui.graphql(query, {"key": {"path": DAILY_RAW_EVENTS}})["assetNodeOrError"]
    checks = {c["name"]: c for c in node["assetChecksOrError"]["checks"]}
    failed = [
        day
        for r in checks["known_fields"]["partitionStatuses"]["ranges"]
        if r["status"] == "FAILED"
        for day in days
        if r["startKey"] <= day <= r["endKey"]
    ]
    assert failed == drifted

    page.goto(f"{ui.base_url}{asset_path(DAILY_RAW_EVENTS)}?view=checks&checkDetail=known_fields")
    # the check's own tabs, below the asset's (which have a "Partitions" tab too)
    expect(page.get_by_text("Execution history", exact=True)).to_be_visible()
    page.get_by_text("Partitions", exact=True).last.click()
    expect(page.get_by_text(f"Failed ({len(drifted)})", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Passed ({len(days) - len(drifted)})", exact=True)).to_be_visible()
    expect(page.get_by_text("Missing (0)", exact=True)).to_be_visible()
    assert_no_error_shown(page)


def test_a_quickstart_run_can_be_re_executed(chromium, ui, page):
    query = """{runsOrError {... on Runs {results {
        runId jobName status repositoryOrigin {repositoryLocationName}}}}}"""
    runs = ui.graphql(query)["runsOrError"]["results"]
    assert runs and all(r["status"] == "SUCCESS" for r in runs)
    # runs of the locations' own asset jobs, each recorded with its location: the UI
    # cannot launch an in-process materialize()'s __ephemeral_asset_job__ again
    assert {r["jobName"] for r in runs} == {"__ASSET_JOB"}
    locations = {r["repositoryOrigin"]["repositoryLocationName"] for r in runs}
    assert locations == {"telemetry", "cloud_usage", "reporting"}

    page.goto(ui.base_url + "/runs")
    for run in runs:
        row = table_row(page, page.locator(f'a[href="/runs/{run["runId"]}"]'))
        expect(row).to_contain_text("Success")  # (an asset job's run lists its assets)

    latest = runs[0]["runId"]  # newest first
    new_run = re_execute_all(page, ui, latest)
    assert ui.graphql(RUN_PARENT, {"id": new_run})["runOrError"]["parentRunId"] == latest
