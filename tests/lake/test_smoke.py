from pathlib import Path

from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.writes import upsert_mentions

from tests.store.factories import make_mention


def test_upsert(lake_db: Path) -> None:
    with write_connection(lake_db) as con:
        assert upsert_mentions(con, [make_mention(n) for n in range(5)]) == (5, 0)
    with read_connection(lake_db) as con:
        assert con.execute("select count(*) from mentions").fetchall() == [(5,)]
