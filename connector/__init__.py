"""segment-connector: the Segment Public API as self-describing action plugins."""

__version__ = "0.1.0"
