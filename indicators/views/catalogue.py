"""The data catalogue: every source, its releases (vintages), provenance and downloads."""

from pathlib import Path

from django.db import connection
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..loading import OBS_COLUMNS
from ..models import Observation


@require_safe
def catalogue(request):
    return render(request, "indicators/catalogue.html", {"sources": selectors.catalogue()})


@require_safe
def source_detail(request, code):
    source = selectors.source_detail(code)
    if source is None:
        raise Http404(f"No source {code!r}")
    return render(
        request,
        "indicators/source_detail.html",
        {"source": source, "flags": selectors.flag_legend()},
    )


@require_safe
def raw_download(request, code, release_id):
    """The exact bytes we fetched for a release (verifiable against its sha256)."""
    release = selectors.release_for_download(code, release_id)
    path = Path(release.raw_path) if release else None
    if path is None or not path.is_file():
        raise Http404("The raw file of this release is not kept on this server.")
    suffix = {
        "eurostat-tsv": ".tsv.gz",
        "eurostat-tsv-2023": ".tsv.gz",
        "gisco-geojson": ".geojson",
    }.get(release.format, ".csv")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{code}_release{release.pk}{suffix}")


@require_safe
def tidy_csv(request, code, release_id):
    """All observations of a release as tidy CSV, streamed straight out of PostgreSQL (COPY TO)."""
    release = selectors.release_for_download(code, release_id)
    if release is None or release.format == "gisco-geojson":
        raise Http404("No tidy table for this release.")
    # Trade rows live in Parquet beside the release (Decision 23), the others in PostgreSQL.
    rows = _trade_csv(release) if release.format == "comext-csv" else _copy_out(release.pk)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}_release{release.pk}_tidy.csv"'
    return response


def _trade_csv(release):
    """The trade rows of a release as CSV, written by DuckDB from its Parquet file to a temporary
    file and streamed from there (a full Comext table never sits in memory)."""
    import tempfile

    import duckdb

    from ..screen import parquet_path

    path = parquet_path(release)
    if not path.is_file():
        raise Http404("The columnar copy of this release is not kept on this server.")
    out = tempfile.NamedTemporaryFile(suffix=".csv")  # noqa: SIM115 (its name is unlinked below)
    con = duckdb.connect()
    try:
        relation = con.read_parquet(str(path)).order("period, reporter, product, partner, flow")
        relation.write_csv(out.name, header=True)
    finally:
        con.close()
    handle = open(out.name, "rb")  # noqa: SIM115 (closed by the streaming response)
    out.close()  # the name goes; the open handle still reads the file
    return handle


def _copy_out(release_id: int):
    table = Observation._meta.db_table
    columns = ", ".join(OBS_COLUMNS)
    sql = (
        f"COPY (SELECT {columns} FROM {table} WHERE release_id = %s "  # noqa: S608 (names are ours)
        "ORDER BY measure, geo, nace, period) TO STDOUT (FORMAT csv, HEADER)"
    )
    # The psycopg cursor itself: Django's debug wrapper (DEBUG=1, as under `make run`) has a
    # copy() that takes no parameters.
    with connection.cursor() as cursor, cursor.cursor.copy(sql, [release_id]) as copy:
        for chunk in copy:
            yield bytes(chunk)
