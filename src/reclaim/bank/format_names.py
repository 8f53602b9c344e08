"""The names of the hash-list formats, importable without loading any reader (the CLI lists them)."""

from enum import StrEnum


class HashListFormat(StrEnum):
    RECLAIM_JSONL = "reclaim-jsonl"
    RECLAIM_CSV = "reclaim-csv"
    THREATEXCHANGE_SIGNALS = "threatexchange-signals"
    THREATEXCHANGE_DATASET_CSV = "threatexchange-dataset-csv"
    HMA_BANK_REQUESTS = "hma-bank-requests"
    STOPNCII_JSON = "stopncii-json"
