"""The Home stats at the edge beyond Slack: the `case-swarm stats` commands."""
