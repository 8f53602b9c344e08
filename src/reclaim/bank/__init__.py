"""Banks of protected signals with provenance, the Hamming index, and hash-list formats."""
