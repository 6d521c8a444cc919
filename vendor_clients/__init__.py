"""Clients of the vendors' APIs (Salesforce, Zendesk): login, REST calls, errors and limits. No Slack, no swarms."""
