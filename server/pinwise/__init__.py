"""Pinwise: keeps pip requirements files honest against the selected Python environment."""

__version__ = "0.1.0"
