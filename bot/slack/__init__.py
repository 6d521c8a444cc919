"""Slack's Web API for every feature: the workspace port, who is who, markup, rate limits, the paced queue."""
