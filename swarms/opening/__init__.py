"""Opening and joining a swarm: asking for one, its claimed opening, members, and what a newcomer sees first."""
