"""OSS telemetry code location (team: oss-telemetry)."""
