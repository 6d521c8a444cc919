"""Scheduled jobs at the Slack edge: every job's entry point and plan, and what runs beside the listeners."""
