"""graphcat: an AI model registry for High Energy Physics, built as a graph knowledge catalog."""

__version__ = "0.1.0"
