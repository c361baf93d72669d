# Sourced by the scripts: one place for the local environment and for finding uv.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DO_NOT_TRACK=1                       # every tool that honours it
export DBT_SEND_ANONYMOUS_USAGE_STATS=false # dbt
# Dagster's telemetry uploader (started by the webserver and the daemon) reads only this;
# dagster_home/dagster.yaml also stops Dagster writing telemetry in the first place.
export DAGSTER_DISABLE_TELEMETRY=1
export RUNTIME__DLTHUB_TELEMETRY=false      # dlt (cloud_usage replication)
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/dagster_home}"  # its dagster.yaml turns Dagster telemetry off
export UV_PYTHON="${UV_PYTHON:-3.11}"
mkdir -p "$DAGSTER_HOME"

# uv is the only tool the repository needs beyond Python 3.11+ and pip.
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  UV=(python3 -m uv)
else
  echo "Installing uv with pip..." >&2
  python3 -m pip install --quiet --user uv 2>/dev/null \
    || python3 -m pip install --quiet uv 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages uv
  UV=(python3 -m uv)
fi

sync_workspace() {
  # compiles bytecode at install (pyproject.toml: compile-bytecode)
  "${UV[@]}" sync --all-packages --frozen --quiet
}
