"""Evidence: the installation's signing key, signed Merkle logs, the encrypted vault, bundles."""
