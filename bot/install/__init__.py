"""Installing by OAuth: the encrypted installation store, token rotation, and the install pages' answers."""
