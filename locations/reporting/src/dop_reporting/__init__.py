"""Reporting code location (team: reporting)."""
