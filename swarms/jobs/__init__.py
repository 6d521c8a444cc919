"""Work that runs in the background on any replica: the scheduler and its lease, and claimed, persisted work."""
