"""Reclaim: find, document and take down intimate images shared without consent."""

__version__ = "0.1.0"
