"""The expert finder's database side: the directory, ranking from the team's history, invites, tuning."""
