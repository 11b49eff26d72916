"""CSV that opens safely in spreadsheets: formula-like cells neutralised, one writer for all.

The export command and the dashboard's download both write through `write_csv`, so the
same filters give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets
# ("=HYPERLINK(...)", "+1+cmd|..."), so it gets a leading apostrophe: "'=HYPERLINK(...)".
FORMULA_START = r"^([=+\-@\t\r])"


def neutralise(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Prefix an apostrophe to text cells a spreadsheet would run as a formula."""
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.replace_substring_regex(column, FORMULA_START, r"'\1", max_replacements=1)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def write_csv(batches: Iterable[pa.RecordBatch], schema: pa.Schema, stream: IO[bytes]) -> int:
    """Write the batches as neutralised CSV with a header; return the number of rows."""
    rows = 0
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    with pacsv.CSVWriter(stream, schema, write_options=options) as writer:
        for batch in batches:
            writer.write_batch(neutralise(batch))
            rows += batch.num_rows
    return rows
