"""Closing and knowledge at the Slack edge: the knowledge flows' port made of Slack calls."""
