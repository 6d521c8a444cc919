"""The one Korean morphological analyser the app shares (kiwipiepy, when installed), and the rules used without it."""
