"""Use cases that combine the library pieces; the only layer that does."""
