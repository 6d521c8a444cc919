"""Opening a swarm at the Slack edge: the queued, paced opening and the offer of work already under way."""
