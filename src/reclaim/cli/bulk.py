"""``reclaim bulk scan|match``: a platform's whole corpus against the bank, on Spark or on this machine."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

import typer

from reclaim.cli.output import emit_json
from reclaim.cli.progress import progress_meter
from reclaim.cli.store_access import opened_store
from reclaim.config import load_settings
from reclaim.locale import Translator

if TYPE_CHECKING:
    from reclaim.services.bulk_scan import BulkRequest, BulkSummary


def register(app: typer.Typer, translate: Translator) -> None:
    _ = translate
    group = typer.Typer(
        name="bulk",
        help=_(
            "Scan a whole media corpus (millions of files, a data lake) against the bank, on Apache "
            "Spark or on this machine. Matches go to review with `reclaim review import`."
        ),
        no_args_is_help=True,
    )
    # The options both commands take, declared once (Typer reads them, never changes them).
    output_option = typer.Option(
        ...,
        "--output",
        metavar="OUT.parquet",
        help=_("The Parquet output to write (Spark writes a folder of that name)."),
    )
    engine_option = typer.Option(
        "local",
        "--engine",
        metavar="local|spark",
        help=_("local (this machine, the default) or spark (needs PySpark, from the spark extra)."),
    )
    master_option = typer.Option(
        None,
        "--master",
        metavar="URL",
        help=_("Spark's master: local[2], spark://HOST:7077, yarn, k8s://... (default: spark-submit's)."),
    )
    low_quality_option = typer.Option(
        False,
        "--include-low-quality",
        help=_("Also match against low-quality photo hashes (plain or tiny pictures; more false leads)."),
    )
    workers_option = typer.Option(
        0, "--workers", min=0, help=_("Local engine: processes to use; 0 uses every CPU core.")
    )
    json_option = typer.Option(False, "--json", help=_("Print one JSON summary line and nothing else."))

    @group.command(
        "scan",
        help=_(
            "Hash every file of a glob or folder, or every row of a Parquet table of media (an id column "
            "and a path or content column), and match it. Case banks are named protected in the output."
        ),
    )
    def scan_command(
        input_location: str = typer.Option(
            ...,
            "--input",
            metavar="PATH_GLOB_OR_PARQUET",
            help=_("A glob or folder of files, or a Parquet table."),
        ),
        output: str = output_option,
        engine: str = engine_option,
        master: Optional[str] = master_option,  # noqa: UP045
        id_column: str = typer.Option(
            "id", "--id-column", metavar="C", help=_("The Parquet table's column that names each file.")
        ),
        hash_only: bool = typer.Option(
            False,
            "--hash-only",
            help=_("Only hash, to match the stored hashes later with `reclaim bulk match`."),
        ),
        include_low_quality: bool = low_quality_option,
        workers: int = workers_option,
        json_output: bool = json_option,
    ) -> None:
        from reclaim.services.bulk_scan import BulkRequest, run_bulk_scan

        request = BulkRequest(
            engine=engine.strip().lower(),
            input=input_location,
            output=output,
            id_column=id_column,
            hash_only=hash_only,
            master=master,
            workers=workers or None,
            include_low_quality=include_low_quality,
            lang=translate.lang,
        )
        _run(translate, run_bulk_scan, request, json_output)

    @group.command(
        "match",
        help=_(
            "Match stored hashes (the output of `reclaim bulk scan --hash-only`) against today's bank, "
            "without reading the media again."
        ),
    )
    def match_command(
        hashes: str = typer.Option(
            ...,
            "--hashes",
            metavar="HASHES.parquet",
            help=_("The output of `reclaim bulk scan --hash-only`."),
        ),
        output: str = output_option,
        engine: str = engine_option,
        master: Optional[str] = master_option,  # noqa: UP045
        include_low_quality: bool = low_quality_option,
        workers: int = workers_option,
        json_output: bool = json_option,
    ) -> None:
        from reclaim.services.bulk_scan import BulkRequest, run_bulk_match

        request = BulkRequest(
            engine=engine.strip().lower(),
            input=hashes,
            output=output,
            master=master,
            workers=workers or None,
            include_low_quality=include_low_quality,
            lang=translate.lang,
        )
        _run(translate, run_bulk_match, request, json_output)

    app.add_typer(group)


def _run(
    translate: Translator,
    job: "Callable[..., BulkSummary]",
    request: "BulkRequest",
    json_output: bool,
) -> None:
    settings = load_settings()
    label = translate("Spark tasks") if request.engine == "spark" else translate("Files")
    with opened_store(settings) as engine, progress_meter(label) as progress:
        summary = job(engine, settings, request, progress)
    if json_output:
        emit_json(summary.to_json())
        return
    typer.echo(translate.format("Wrote {rows} rows to {output}.", rows=summary.rows, output=summary.output))
    if not request.hash_only:
        typer.echo(translate.format("Next: reclaim review import {output}", output=summary.output))
