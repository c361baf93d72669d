"""Cloud usage code location (team: cloud-usage)."""
