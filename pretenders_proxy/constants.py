"""Constants shared with the pretenders 1.4 client API."""

FOREVER = "FOREVER"
"""Keyword for "never used up" (preset `times`) and "never expires" (mock timeout)."""
