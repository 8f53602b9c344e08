"""``reclaim export-page -o FILE``: the one offline page that hashes photos inside the browser."""

from pathlib import Path

import typer

from reclaim.cli.output import emit_json
from reclaim.locale import Translator


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate

    @app.command(
        "export-page",
        help=_(
            "Write one self-contained HTML page that hashes photos and videos in the browser, "
            "with no server and no network, and saves the hashes for `reclaim protect --hashes`."
        ),
    )
    def export_page_command(
        output: Path = typer.Option(
            Path("reclaim-protect.html"),
            "--output",
            "-o",
            metavar="FILE",
            dir_okay=False,
            writable=True,
            help=_("Where to write the page."),
        ),
        json_output: bool = typer.Option(False, "--json", help=_("Print JSON lines and nothing else.")),
    ) -> None:
        from reclaim.errors import N_, UserInputError
        from reclaim.web.offline_page import write_offline_page

        try:
            size = write_offline_page(output)
        except OSError as failure:
            raise UserInputError(
                N_("{path} cannot be written: {reason}"),
                path=str(output),
                reason=failure.strerror or str(failure),
            ) from None
        if json_output:
            emit_json({"path": str(output), "bytes": size})
            return
        typer.echo(translate.format("Wrote {path} ({size} bytes).", path=str(output), size=size))
        typer.echo(
            translate(
                "Open it in any browser, even without the internet; photos and videos chosen there "
                "never leave the device."
            )
        )
