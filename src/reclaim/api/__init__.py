"""The HTTP API (FastAPI): routers per resource over the same services the CLI uses, nothing more.

``create_app(settings)`` builds it; `reclaim serve` runs it on uvicorn. Routes parse, check the
caller's role, call one service function and shape JSON; errors are ``{"error", "hint"}`` in the
reader's language (Accept-Language).
"""
