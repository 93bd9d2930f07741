"""climatevis.storage against a real S3 server (SeaweedFS on 127.0.0.1), no mocks.

Faults are real too: a server that is not there, a bucket that does not
exist, wrong credentials, and a loopback proxy (tests/s3server.py) that drops
the connection in the middle of an upload or flips bytes on the wire.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from climatevis import cli
from climatevis.storage import (
    SHA256_METADATA_KEY,
    StorageError,
    content_type,
    data_bucket,
    parse_location,
    read_object,
    sync,
)
from tests.harness import free_port
from tests.s3server import Bucket, FaultProxy

MARKER = b"Marker-CutOrFlipMe;"  # letters: swapcase() changes it; repeated through payloads


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def sample_files() -> dict[str, bytes]:
    return {
        "weather/AUT_Vienna.epw": b"LOCATION,VIENNA,-,AUT\n" + b"1997,1,1,1,60,x\n" * 300,
        "weather/assets/index.json": b'{"stations": []}\n',
        "data/solar_panel_specs.json": b'{"modules": []}\n',
        "data/building_reference.csv": b"name,u_wall\nEFH,0.35\n",
        "demos/climate-dashboard/index.html": b"<!doctype html><title>x</title>\n",
        "demos/climate-dashboard/public/lib.wasm": b"\x00asm\x01\x00\x00\x00",
        "models/surrogate.joblib": bytes(range(256)) * 8,
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- happy paths


def test_first_sync_uploads_all_second_uploads_none(s3: Bucket, tmp_path: Path) -> None:
    files = sample_files()
    write_tree(tmp_path, files)
    first = sync(tmp_path, s3.url("site"))
    assert first.uploaded == sorted(files) and first.ok
    assert first.bytes == sum(len(v) for v in files.values())
    for name, data in files.items():
        head = s3.client.head_object(Bucket=s3.name, Key=f"site/{name}")
        assert head["Metadata"][SHA256_METADATA_KEY] == sha(data)
        assert s3.get(f"site/{name}") == data
    before = s3.snapshot()

    second = sync(tmp_path, s3.url("site"))
    assert second.uploaded == [] and second.bytes == 0
    assert second.skipped == sorted(files)
    assert s3.snapshot() == before  # not even a new version of an identical object


def test_one_changed_file_is_the_only_upload_and_versioning_keeps_the_old(
        s3: Bucket, tmp_path: Path) -> None:
    files = sample_files()
    write_tree(tmp_path, files)
    sync(tmp_path, s3.url())
    old = files["data/building_reference.csv"]
    new = old.replace(b"0.35", b"0.28")  # same size: only the sha256 can tell
    assert len(new) == len(old)
    (tmp_path / "data/building_reference.csv").write_bytes(new)

    result = sync(tmp_path, s3.url())
    assert result.uploaded == ["data/building_reference.csv"]
    assert result.bytes == len(new)
    assert len(result.skipped) == len(files) - 1

    versions = s3.versions("data/building_reference.csv")
    assert len(versions) == 2
    latest = next(v for v in versions if v["IsLatest"])
    previous = next(v for v in versions if not v["IsLatest"])
    assert s3.get("data/building_reference.csv") == new
    assert s3.get("data/building_reference.csv", previous["VersionId"]) == old
    assert latest["VersionId"] != previous["VersionId"]


def test_content_types(s3: Bucket, tmp_path: Path) -> None:
    write_tree(tmp_path, sample_files())
    sync(tmp_path, s3.url())
    expected = {
        "weather/AUT_Vienna.epw": "text/plain",
        "weather/assets/index.json": "application/json",
        "data/building_reference.csv": "text/csv",
        "demos/climate-dashboard/index.html": "text/html",
        "demos/climate-dashboard/public/lib.wasm": "application/wasm",
        "models/surrogate.joblib": "application/octet-stream",
    }
    for key, media in expected.items():
        got = s3.client.head_object(Bucket=s3.name, Key=key)["ContentType"]
        assert got.split(";")[0] == media, key
        assert got == content_type(key)


def test_wrong_content_type_is_repaired(s3: Bucket, tmp_path: Path) -> None:
    data = b'{"a": 1}\n'
    write_tree(tmp_path, {"x.json": data})
    s3.client.put_object(Bucket=s3.name, Key="x.json", Body=data, ContentType="text/plain",
                         Metadata={SHA256_METADATA_KEY: sha(data)})
    assert sync(tmp_path, s3.url()).uploaded == ["x.json"]
    assert s3.client.head_object(Bucket=s3.name, Key="x.json")["ContentType"] == "application/json"


def test_objects_from_other_tools_are_compared_by_md5_etag(s3: Bucket, tmp_path: Path) -> None:
    data = b"uploaded with the aws cli, no sha256 metadata\n"
    write_tree(tmp_path, {"notes.txt": data})
    s3.client.put_object(Bucket=s3.name, Key="notes.txt", Body=data,
                         ContentType=content_type("notes.txt"))
    assert sync(tmp_path, s3.url()).skipped == ["notes.txt"]


def test_dry_run_changes_nothing(s3: Bucket, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_tree(src, sample_files())
    sync(src, s3.url())
    (src / "data/building_reference.csv").write_bytes(b"changed\n")
    (src / "data/new.json").write_bytes(b"{}\n")
    (src / "models/surrogate.joblib").unlink()
    before = s3.snapshot()

    result = sync(src, s3.url(), dry_run=True, delete=True)
    assert result.dry_run
    assert result.uploaded == ["data/building_reference.csv", "data/new.json"]
    assert result.deleted == ["models/surrogate.joblib"]
    assert s3.snapshot() == before

    empty = tmp_path / "never-created"
    assert sync(s3.url(), empty, dry_run=True).uploaded  # would download everything
    assert not empty.exists()

    code = cli.main(["sync", str(src), s3.url(), "--dry-run", "--delete", "--json"])
    assert code == 0 and s3.snapshot() == before


def test_delete_only_when_asked(s3: Bucket, tmp_path: Path) -> None:
    files = sample_files()
    write_tree(tmp_path, files)
    sync(tmp_path, s3.url())
    (tmp_path / "models/surrogate.joblib").unlink()

    kept = sync(tmp_path, s3.url())
    assert kept.deleted == [] and "models/surrogate.joblib" in s3.keys()

    removed = sync(tmp_path, s3.url(), delete=True)
    assert removed.deleted == ["models/surrogate.joblib"]
    assert "models/surrogate.joblib" not in s3.keys()
    # versioned bucket: the deleted object's bytes are still there
    (version,) = s3.versions("models/surrogate.joblib")
    assert s3.get("models/surrogate.joblib", version["VersionId"]) == files["models/surrogate.joblib"]


def test_download_and_folder_to_folder(s3: Bucket, tmp_path: Path) -> None:
    files = sample_files()
    write_tree(tmp_path / "src", files)
    sync(tmp_path / "src", s3.url("p"))

    down = tmp_path / "down"
    first = sync(s3.url("p"), down)
    assert first.uploaded == sorted(files)
    for name, data in files.items():
        assert (down / name).read_bytes() == data
    assert sync(s3.url("p"), down).uploaded == []

    copy = tmp_path / "copy"
    assert sync(down, copy).uploaded == sorted(files)
    assert sync(down, copy).skipped == sorted(files)
    assert not [p for p in copy.rglob("*.tmp")]


def test_multipart_upload_with_part_checksums(s3: Bucket, tmp_path: Path) -> None:
    big = os.urandom(11 * 1024 * 1024)
    write_tree(tmp_path, {"models/big.bin": big})
    result = sync(tmp_path, s3.url(), multipart_threshold=5 * 1024 * 1024,
                  part_size=5 * 1024 * 1024)
    assert result.uploaded == ["models/big.bin"]
    head = s3.client.head_object(Bucket=s3.name, Key="models/big.bin")
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    assert head["Metadata"][SHA256_METADATA_KEY] == sha(big)
    assert s3.get("models/big.bin") == big
    assert sync(tmp_path, s3.url(), multipart_threshold=5 * 1024 * 1024,
                part_size=5 * 1024 * 1024).skipped == ["models/big.bin"]


def test_read_object(s3: Bucket) -> None:
    s3.client.put_object(Bucket=s3.name, Key="weather/a.epw", Body=b"0123456789")
    assert read_object(s3.url("weather/a.epw")) == b"0123456789"
    assert read_object(s3.url("weather/missing.epw")) is None
    with pytest.raises(StorageError, match="larger than 4 bytes"):
        read_object(s3.url("weather/a.epw"), max_bytes=4)
    with pytest.raises(StorageError, match="bucket 'no-such-bucket-climatevis' does not exist"):
        read_object("s3://no-such-bucket-climatevis/a.epw")
    with pytest.raises(StorageError, match="not an s3://bucket/key address"):
        read_object(s3.url())


def test_cli_json_keys(s3: Bucket, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"a.txt": b"a\n", "b.txt": b"b\n"})
    assert cli.main(["sync", str(tmp_path), s3.url("x"), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["uploaded"] == ["a.txt", "b.txt"] and payload["skipped"] == []
    assert payload["deleted"] == [] and payload["bytes"] == 4
    assert cli.main(["sync", str(tmp_path), s3.url("x"), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["uploaded"] == [] and payload["skipped"] == ["a.txt", "b.txt"]


# --------------------------------------------------------------------------- faults


def test_server_down_is_a_clear_error(s3: Bucket, tmp_path: Path, monkeypatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"a.txt": b"a\n"})
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL", dead)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    with pytest.raises(StorageError, match="cannot reach the S3 endpoint"):
        sync(tmp_path, s3.url())
    code = cli.main(["sync", str(tmp_path), s3.url(), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""  # no JSON claiming anything was uploaded
    assert err.startswith("climatevis sync: error: cannot reach the S3 endpoint " + dead)
    assert len(err.strip().splitlines()) == 1


def test_missing_bucket_is_a_clear_error(s3: Bucket, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"a.txt": b"a\n"})
    code = cli.main(["sync", str(tmp_path), "s3://no-such-bucket-climatevis/x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "bucket 'no-such-bucket-climatevis' does not exist at " + s3.server.endpoint in err


@pytest.mark.parametrize("variable, value, reason", [
    ("AWS_SECRET_ACCESS_KEY", "not-the-secret",
     "SignatureDoesNotMatch: the secret access key does not match the access key id"),
    ("AWS_ACCESS_KEY_ID", "nobody", "InvalidAccessKeyId: the access key id is unknown"),
])
def test_wrong_credentials_are_a_clear_error(s3: Bucket, tmp_path: Path, monkeypatch,
                                             capsys: pytest.CaptureFixture[str],
                                             variable: str, value: str, reason: str) -> None:
    write_tree(tmp_path, {"a.txt": b"a\n"})
    before = s3.snapshot()
    monkeypatch.setenv(variable, value)
    code = cli.main(["sync", str(tmp_path), s3.url()])
    err = capsys.readouterr().err
    assert code == 2
    assert f"access to s3://{s3.name} denied at {s3.server.endpoint} ({reason}" in err
    assert len(err.strip().splitlines()) == 1
    assert s3.snapshot() == before


def payload_with_marker(size: int = 1024 * 1024) -> bytes:
    line = MARKER + b"0123456789abcdef" * 4 + b"\n"
    return (line * (size // len(line) + 1))[:size]


def test_connection_dropped_mid_upload_is_retried(s3: Bucket, tmp_path: Path,
                                                  monkeypatch) -> None:
    data = payload_with_marker()
    write_tree(tmp_path, {"big.epw": data, "small.txt": b"no marker here\n"})
    with FaultProxy(s3.server.port, MARKER, mode="cut", times=1) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        result = sync(tmp_path, s3.url())
    assert proxy.faults == 1  # the first attempt really was cut mid-body
    assert result.ok and result.uploaded == ["big.epw", "small.txt"]
    (version,) = s3.versions("big.epw")  # one complete object, no partial version
    assert s3.get("big.epw", version["VersionId"]) == data


def test_connection_always_dropped_is_reported_and_nothing_half_written(
        s3: Bucket, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    old = b"previous content\n"
    s3.client.put_object(Bucket=s3.name, Key="big.epw", Body=old)
    write_tree(tmp_path, {"big.epw": payload_with_marker(), "small.txt": b"fine\n"})
    with FaultProxy(s3.server.port, MARKER, mode="cut", times=1000) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
        code = cli.main(["sync", str(tmp_path), s3.url(), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and proxy.faults >= 3  # every attempt was cut
    payload = json.loads(out)
    assert payload["uploaded"] == ["small.txt"]  # the other file still went up
    assert [f["name"] for f in payload["failed"]] == ["big.epw"]
    assert "1 objects failed (first: big.epw" in err
    assert s3.get("big.epw") == old  # the previous version is untouched
    assert len(s3.versions("big.epw")) == 1


def test_corrupted_upload_is_rejected_by_the_checksum(s3: Bucket, tmp_path: Path,
                                                      monkeypatch) -> None:
    data = payload_with_marker(256 * 1024)
    write_tree(tmp_path, {"weather.epw": data})
    with FaultProxy(s3.server.port, MARKER, mode="corrupt", times=1000) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        result = sync(tmp_path, s3.url())
    assert proxy.faults >= 1
    (failure,) = result.failed
    assert failure["name"] == "weather.epw"
    assert "BadDigest" in failure["error"] or "XAmzContentSHA256Mismatch" in failure["error"]
    assert "weather.epw" not in s3.keys()  # the server stored nothing


def test_corrupted_download_is_rejected_and_not_written(s3: Bucket, tmp_path: Path,
                                                        monkeypatch) -> None:
    data = payload_with_marker(256 * 1024)
    write_tree(tmp_path / "src", {"weather.epw": data})
    sync(tmp_path / "src", s3.url())
    down = tmp_path / "down"
    with FaultProxy(s3.server.port, MARKER, mode="corrupt", times=1000,
                    direction="down") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        result = sync(s3.url(), down)
    assert proxy.faults >= 1
    (failure,) = result.failed
    assert "sha256" in failure["error"].lower() or "checksum" in failure["error"].lower()
    assert not (down / "weather.epw").exists()
    assert not list(down.rglob("*")) if down.exists() else True


def test_object_whose_bytes_do_not_match_its_metadata_is_not_downloaded(
        s3: Bucket, tmp_path: Path) -> None:
    s3.client.put_object(Bucket=s3.name, Key="w.epw", Body=b"tampered\n",
                         Metadata={SHA256_METADATA_KEY: sha(b"original\n")})
    result = sync(s3.url(), tmp_path)
    assert result.failed and "the object's metadata says " + sha(b"original\n") in \
        result.failed[0]["error"]
    assert not (tmp_path / "w.epw").exists()


# --------------------------------------------------------------------------- no server needed


def test_parse_location() -> None:
    assert parse_location("s3://my-bucket/a/b/").prefix == "a/b"
    assert parse_location("s3://my-bucket").prefix == ""
    assert parse_location("build/weather").path == Path("build/weather")
    with pytest.raises(StorageError, match="not a valid S3 bucket name"):
        parse_location("s3://Bad_Bucket/x")
    with pytest.raises(StorageError, match=r"'\.\.'"):
        parse_location("s3://good-bucket/a/../b")


def test_missing_source_folder(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no such folder"):
        sync(tmp_path / "nope", tmp_path / "dest")


def test_data_bucket_resolution(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MARIMO_DATA_BUCKET", raising=False)
    sst = tmp_path / "deploy" / ".sst"
    sst.mkdir(parents=True)
    deploy = tmp_path / "deploy"
    with pytest.raises(StorageError, match="no data bucket for stage 'dev'"):
        data_bucket("dev", deploy)
    (sst / "outputs.json").write_text(json.dumps(
        {"endpoint": "https://x", "bucket": "climatevis-marimo-production-databucket-abc"}))
    assert data_bucket("production", deploy) == "climatevis-marimo-production-databucket-abc"
    with pytest.raises(StorageError, match="not a 'dev' bucket"):
        data_bucket("dev", deploy)
    (sst / "outputs.dev.json").write_text(json.dumps({"bucket": "my-dev-data"}))
    assert data_bucket("dev", deploy) == "my-dev-data"
    monkeypatch.setenv("MARIMO_DATA_BUCKET", "from-env")
    assert data_bucket("dev", deploy) == "from-env"
