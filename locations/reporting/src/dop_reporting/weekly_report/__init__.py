"""The weekly platform health report, posted to Slack once per week."""

from dop_reporting.weekly_report.asset import weekly_platform_health_report

__all__ = ["weekly_platform_health_report"]
