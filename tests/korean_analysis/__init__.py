"""The shared Korean analyser: one kiwipiepy for the whole app, and the rules used without it."""
