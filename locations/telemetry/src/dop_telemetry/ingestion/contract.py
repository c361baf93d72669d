"""The telemetry contract: what a Dagster OSS client sends, in one place.

Dagster writes each event as `json.dumps(TelemetryEntry(...)._asdict())`
(`dagster_shared.telemetry`). FIELDS follows that class field by field, in its order;
ACTIONS lists the action names of Dagster's own call sites (`dagster._core.telemetry`,
the daemon, the webserver, the web UI). Both are checked against the installed Dagster by
`tests/test_telemetry_contract.py`, which fails when an upgrade changes them. The
parser, the raw table, the dbt source yml (checked by the same test) and the sample
data generator all read this module.

A feed of many client versions at once is judged line by line: an *identity* field
(`required`) that is missing, null or of another JSON type quarantines its line; any
other field may be absent (older clients: no `user_id`, which Dagster added in early
2026) and loads as NULL; a field this module does not know yet is kept on the row, in
`extra_fields`.
"""

from __future__ import annotations

from dop_shared.json_lines import Contract, Field

_TEXT = ("VARCHAR",)

FIELDS: tuple[Field, ...] = (
    Field("action", _TEXT, "VARCHAR", True, "What happened (see ACTIONS)."),
    Field("client_time", _TEXT, "VARCHAR", True, "Client clock, str(datetime), local time."),
    Field("event_id", _TEXT, "VARCHAR", True, "UUID of the event; repeated on retries."),
    Field("elapsed_time", _TEXT, "VARCHAR", False, "str(timedelta) of *_ended; else 'None'."),
    Field("instance_id", _TEXT, "VARCHAR", True, "Anonymous id of the instance (DAGSTER_HOME)."),
    Field("user_id", _TEXT, "VARCHAR", False, "Anonymous id of the user (~/.dagster)."),
    Field("metadata", ("OBJECT",), "VARCHAR", False, "Action details, a JSON object (any values)."),
    Field("python_version", _TEXT, "VARCHAR", False, "Python version of the client."),
    Field("dagster_version", _TEXT, "VARCHAR", False, "Dagster version of the client."),
    Field("os_desc", _TEXT, "VARCHAR", False, "platform.platform() of the client."),
    Field("os_platform", _TEXT, "VARCHAR", False, "platform.system() of the client."),
    Field("run_storage_id", _TEXT, "VARCHAR", False, "Id of the run storage; '' when unknown."),
    Field("is_known_ci_env", ("BOOLEAN",), "BOOLEAN", False, "Whether the client is in CI."),
)
TELEMETRY = Contract(
    FIELDS,
    noun="telemetry event",
    partition_column="event_date",
    # nearly every line: a current client's, or one from before user_id
    common_absences=((), ("user_id",)),
)
FIELD_NAMES = TELEMETRY.field_names
REQUIRED = TELEMETRY.required
# The raw table: the fields, unknown fields as one JSON object (NULL when none), and
# where and when each row was loaded from.
EXTRA_FIELDS_COLUMN = TELEMETRY.extra_column
RAW_COLUMNS = TELEMETRY.raw_columns

# Functions wrapped by Dagster's telemetry_wrapper log "<name>_started" and "<name>_ended"
# (dagster._core.telemetry.TELEMETRY_WHITELISTED_FUNCTIONS).
WRAPPED_FUNCTIONS = (
    "_logged_execute_job",
    "execute_execute_command",
    "execute_launch_command",
    "_daemon_run_command",
    "execute_materialize_command",
)
# Actions logged by name (the constants of dagster._core.telemetry and where they are used).
NAMED_ACTIONS = (
    "update_repo_stats",
    "start_dagit_webserver",  # Dagster kept the old name for the webserver
    "daemon_alive",
    "scheduled_run_created",
    "sensor_run_created",
    "backfill_run_created",
    "step_start_event",
    "step_success_event",
    "step_failure_event",
)
# Actions the web UI logs through its LogTelemetry GraphQL mutation (the TelemetryAction
# enum of the webapp bundle that dagster-webserver ships), written in upper case.
UI_ACTIONS = ("LAUNCH_RUN", "LAUNCH_MULTIPLE_RUNS", "GRAPHQL_QUERY_COMPLETED")
ACTIONS = (
    *(f"{name}_{phase}" for name in WRAPPED_FUNCTIONS for phase in ("started", "ended")),
    *NAMED_ACTIONS,
    *UI_ACTIONS,
)
