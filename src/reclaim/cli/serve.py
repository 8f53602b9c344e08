"""``reclaim serve``: the HTTP API on uvicorn, for helplines' tools and platforms' upload pipelines."""

import typer

from reclaim.config import load_settings
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "serve",
        help=_(
            "Serve the HTTP API (see /openapi.json). Every route but health checks needs a token "
            "from `reclaim token create`."
        ),
    )
    def serve_command(
        host: str = typer.Option(
            "127.0.0.1",
            "--host",
            metavar="ADDRESS",
            help=_("Address to listen on; keep 127.0.0.1 behind a reverse proxy that adds TLS."),
        ),
        port: int = typer.Option(
            8000, "--port", min=1, max=65535, metavar="PORT", help=_("Port to listen on.")
        ),
        workers: int = typer.Option(
            1, "--workers", min=1, metavar="N", help=_("Server processes; each holds the bank in memory.")
        ),
    ) -> None:
        import uvicorn

        from reclaim.services.home import open_store

        # Fail here, with our message, rather than in every worker at start-up.
        open_store(load_settings()).dispose()
        typer.echo(
            translate.format("Serving the Reclaim API on http://{host}:{port}/", host=host, port=port),
            err=True,
        )
        uvicorn.run(
            "reclaim.api.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            # uvloop and httptools (uvicorn[standard]), named so that a missing one fails here
            # instead of falling back to asyncio's loop and h11 (benchmarks/bench_api.py).
            loop="uvloop",
            http="httptools",
            # uvicorn kills a worker that misses its health ping for this long (default 5 s).
            # Loading a 10-million-entry bank or compiling the index kernels can hold the GIL
            # that long, and a worker killed mid-load is replaced by one that loads again.
            timeout_worker_healthcheck=60,
            # No access log: a request's query string holds the hash a platform looked up.
            access_log=False,
        )
