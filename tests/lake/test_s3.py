"""A lake whose data lives in S3: moto's server on 127.0.0.1 stands in for the storage."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brandpulse.store import lake

from brandpulse.cli import main
from tests.dashboard.running import free_port

BUCKET = "listening"
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local news</title><link>https://news.example/</link>
<description>A feed on disk</description>
{items}
</channel></rss>
"""
ITEM = """<item><title>Acme story {n}</title><link>https://news.example/{n}</link>
<guid>https://news.example/{n}</guid><pubDate>Mon, 0{day} Jun 2026 10:00:00 +0000</pubDate>
<description>Acme {what}, says story {n}.</description></item>"""


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An S3 server on 127.0.0.1 with an empty bucket, its address and keys in the
    environment (as a deployment gives them); yields a client to look inside."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto's and botocore's own deprecations
        import boto3
        from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        lake.close_all()  # its DuckDB holds the secret of this server
        server.stop()


def keys(client: Any) -> list[str]:
    """Return the names of every object in the bucket."""
    listed = client.list_objects_v2(Bucket=BUCKET)
    return [str(o["Key"]) for o in listed.get("Contents", [])]


def test_a_lake_on_s3_collects_maintains_and_reads(
    s3: Any, lake_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        ITEM.format(n=n, day=n + 1, what="is great" if n % 2 else "broke again")
        for n in range(1, 7)
    ]
    (tmp_path / "feed.xml").write_text(FEED.format(items="\n".join(items)), encoding="utf-8")
    config = tmp_path / "brands.toml"
    config.write_text(
        '[[brands]]\nname = "Acme"\n\n[[feeds]]\nurl = "feed.xml"\nname = "Local"\nkind = "news"\n'
        f'\n[lake]\ndata_path = "s3://{BUCKET}/lake"\n',
        encoding="utf-8",
    )
    where = ["-c", str(config), "--db", lake_url]
    assert main(["lake", "init", *where]) == 0
    assert main(["collect", *where]) == 0
    # Maintenance writes rows the catalog kept inline out to Parquet, in the bucket.
    assert main(["lake", "maintain", "--keep-minutes", "0", *where]) == 0
    out = tmp_path / "mentions.csv"
    assert main(["export", *where, "--what", "mentions", "--format", "csv", "-o", str(out)]) == 0
    capsys.readouterr()
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["title"] for r in rows) == [f"Acme story {n}" for n in range(1, 7)]
    stored = keys(s3)
    assert any(k.startswith("lake/") and k.endswith(".parquet") for k in stored), stored
    assert main(["lake", "status", *where]) == 0
    shown = capsys.readouterr().out
    assert f"data path: s3://{BUCKET}/lake/" in shown
