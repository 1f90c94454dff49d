"""The notebook's own Python package: ``from rnb import ui`` (widgets bound to notebook variables)."""
