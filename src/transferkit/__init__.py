"""transferkit: research and workshop kit for science–practice transfer in SMEs."""

__version__ = "0.1.0"
