import csv
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from indicators import refresh
from indicators.models import Release, Run, Source
from tests import dbsnapshot
from tests.indicators.factories import load_codelists, sbs_tsv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(reference, tmp_path):
    """One SBS release, ingested once per session and restored per test (tests/dbsnapshot.py)."""
    path = tmp_path / "sbs.tsv.gz"
    path.write_bytes(sbs_tsv({("C25", "V16110", "DE", "2014"): ": c"}))

    def build():
        load_codelists()
        run = refresh.ingest("sbs_na_sca_r2", path=path)
        assert run.status == Run.Status.SUCCEEDED, run.error

    dbsnapshot.restore_or_take("catalogue_loaded", build)
    return Source.objects.get(code="sbs_na_sca_r2").current_release, path


def test_catalogue_lists_every_registered_source(client, reference):
    response = client.get("/data/")
    assert response.status_code == 200
    for code in ["sbs_na_sca_r2", "isoc_e_dii", "nuts2021_rg_60m_l2"]:
        assert code.encode() in response.content
    assert b"not loaded" in response.content and b"Never fetched yet" in response.content


def test_catalogue_shows_vintage_rows_and_downloads(client, loaded):
    release, _ = loaded
    html = client.get("/data/").content.decode()
    assert f"/data/sbs_na_sca_r2/releases/{release.pk}/tidy.csv" in html
    assert f"{release.row_count:,}" in html


def test_source_page_shows_releases_provenance_and_flags(client, loaded):
    release, _ = loaded
    response = client.get("/data/sbs_na_sca_r2/")
    html = response.content.decode()
    assert response.status_code == 200
    assert release.sha256[:12] in html
    assert "confidential" in html  # flags legend
    assert "Eurostat" in html


def test_unknown_source_is_404(client, reference):
    assert client.get("/data/no_such_dataset/").status_code == 404


def test_raw_download_returns_the_exact_bytes(client, loaded):
    release, path = loaded
    response = client.get(f"/data/sbs_na_sca_r2/releases/{release.pk}/raw")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert hashlib.sha256(body).hexdigest() == release.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_tidy_csv_download_has_every_row_and_keeps_missing_as_empty(client, loaded):
    release, _ = loaded
    response = client.get(f"/data/sbs_na_sca_r2/releases/{release.pk}/tidy.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == release.row_count
    confidential = next(
        r for r in rows if (r["nace"], r["measure"], r["geo"], r["period"]) == ("C25", "V16110", "DE", "2014")
    )
    assert confidential["value"] == "" and confidential["flags"] == "c"


def test_tidy_csv_download_works_with_debug_on(client, loaded, settings):
    """`make run` sets DEBUG=1, where Django wraps cursors in its debug wrapper."""
    from django.db import connection

    release, _ = loaded
    settings.DEBUG = True
    connection.force_debug_cursor = True
    try:
        response = client.get(f"/data/sbs_na_sca_r2/releases/{release.pk}/tidy.csv")
        body = b"".join(response.streaming_content).decode()
    finally:
        connection.force_debug_cursor = False
    assert response.status_code == 200
    assert len(body.strip().splitlines()) == release.row_count + 1


def test_tidy_csv_of_a_release_of_another_source_is_404(client, loaded):
    release, _ = loaded
    assert client.get(f"/data/isoc_eb_ai/releases/{release.pk}/tidy.csv").status_code == 404


def test_ingest_command_reports_and_fails_loudly_on_bad_file(reference, tmp_path, capsys):
    load_codelists()
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"nace_r2,indic_sb,geo\\time\t2014 \nC25,V16110,AT\t12a3 \n")
    with pytest.raises(CommandError, match="failed"):
        call_command("ingest", "sbs_na_sca_r2", "--file", str(bad))
    out = capsys.readouterr().out
    assert "bad.tsv" in out and "12a3" in out
    assert Release.objects.count() == 0


def test_ingest_command_rejects_unknown_source(reference):
    with pytest.raises(CommandError, match="Unknown source"):
        call_command("ingest", "nope")


def test_refresh_command_second_run_says_nothing_changed(reference, tmp_path, settings, capsys):
    load_codelists()
    mirror = tmp_path / "mirror" / "eurostat"
    mirror.mkdir(parents=True)
    (mirror / "sbs_na_sca_r2.tsv.gz").write_bytes(sbs_tsv())
    settings.OBSERVATORY_DATA_MIRROR = str(tmp_path / "mirror")
    call_command("refresh", "sbs_na_sca_r2")
    first = capsys.readouterr().out
    call_command("refresh", "sbs_na_sca_r2")
    second = capsys.readouterr().out
    assert "[succeeded]" in first
    assert "Nothing changed" in second
    assert Source.objects.get(code="sbs_na_sca_r2").releases.count() == 1


def test_admin_pages_for_the_data_engine_render_for_staff(client, staff, loaded):
    from ecosystems.models import MappingVersion

    client.force_login(staff)
    version = MappingVersion.objects.get(is_current=True)
    for url in [
        "/admin/indicators/source/",
        "/admin/indicators/release/",
        "/admin/indicators/run/",
        "/admin/ecosystems/mappingversion/",
        f"/admin/ecosystems/mappingversion/{version.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_refresh_now_action_queues_and_runs_the_ingest(client, staff, reference, tmp_path, settings):
    load_codelists()
    mirror = tmp_path / "m" / "eurostat"
    mirror.mkdir(parents=True)
    (mirror / "sbs_na_sca_r2.tsv.gz").write_bytes(sbs_tsv())
    settings.OBSERVATORY_DATA_MIRROR = str(tmp_path / "m")
    client.force_login(staff)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/admin/indicators/source/",
            {"action": "refresh_now", "_selected_action": ["sbs_na_sca_r2"]},
        )
    assert response.status_code == 302
    assert Source.objects.get(code="sbs_na_sca_r2").current_release is not None
    assert Run.objects.filter(kind="recompute", status="succeeded").exists()


def test_admin_is_closed_to_members(client, alice):
    client.force_login(alice)
    response = client.get("/admin/indicators/run/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_catalogue_says_why_a_registered_source_is_not_loaded(client, reference):
    from indicators.models import Run, Source

    Run.objects.create(
        kind=Run.Kind.INGEST,
        source=Source.objects.get(code="comext_cn8_annual"),
        status=Run.Status.FAILED,
        error="https://ec.europa.eu/x.csv.gz: could not download after 3 attempt(s) (no network)",
    )
    html = client.get("/data/").content.decode()
    row = html.split("<code>comext_cn8_annual</code>")[1].split("</tr>")[0]
    assert "Not in the offline data mirror, and the publisher could not be reached" in row
    assert "could not download after 3 attempt(s) (no network)" in row
    assert "Not in the offline mirror: loaded only where the publisher is reachable" in row  # the note
    never = html.split("<code>comext_crm_imports</code>")[1].split("</tr>")[0]
    assert "Never fetched yet" in never
