"""`case-swarm demo`, and the real bot wired to the local Slack stand-in for the demo, benchmarks and tests."""
