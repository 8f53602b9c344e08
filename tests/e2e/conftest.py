"""Fixtures for the end-to-end tests that more than one module uses."""

from tests.local_tsa import local_tsa

__all__ = ["local_tsa"]
