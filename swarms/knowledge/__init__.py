"""Closing a swarm and what it leaves behind: marks on messages and the knowledge draft under review."""
