"""Adapters that read found content (Telegram exports, ...) into plain values."""
