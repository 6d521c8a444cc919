"""Note sync: swarm messages reach the case record once and in order, through an outbox; case changes come back."""
