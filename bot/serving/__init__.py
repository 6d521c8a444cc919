"""Running the process: HTTP or Socket Mode, readiness, logging, and the listeners' thread pool."""
