"""The version of pretenders, read by the build and shown by `pretenders --version`."""

__version__ = "0.1.0"
