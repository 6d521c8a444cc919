"""The experts at the Slack edge: their port made of Slack calls, and the `case-swarm experts` commands."""
