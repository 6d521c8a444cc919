"""Knowledge drafts from closed swarms: draft, redact, render, find similar articles, export. No Slack here.

Nothing is imported here: the redaction rules load when a draft is made, not when the app starts.
"""
