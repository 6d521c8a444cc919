"""Stats and the manager's Home: contributions, open swarms, swarmed-case outcomes, the finder's figures, the digest."""
