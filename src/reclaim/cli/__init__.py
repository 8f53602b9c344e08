"""The ``reclaim`` command: parses, calls one service, prints (rich for people, --json for scripts)."""
