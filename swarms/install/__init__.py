"""Installing in workspaces: which workspaces the database serves and whether the app may reach them, the
tables of slack_sdk's installation and OAuth state stores, and the tokens' encryption at rest."""
