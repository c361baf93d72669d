"""Slack: the member analytics of the community workspace."""
