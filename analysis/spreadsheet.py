"""CSV that opens safely in spreadsheets: formula-like cells neutralised, one writer for all.

The export command and the dashboard's download both write through `write_csv`, so the
same filters give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import IO
from zoneinfo import ZoneInfo

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


def write_xlsx(
    batches: Iterable[pa.RecordBatch], schema: pa.Schema, stream: IO[bytes], tz: str
) -> int:
    """Write the batches as one .xlsx sheet with typed cells; return the number of rows.

    Times become spreadsheet date-times in `tz` (Excel has no zones, so the heading names
    it), days become dates and numbers stay numbers; text is always text, never a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    zone = ZoneInfo(tz)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")
    timed = [pa.types.is_timestamp(field.type) for field in schema]
    dated = [pa.types.is_date(field.type) for field in schema]
    sheet.append(
        [
            f"{field.name} ({tz})" if t else field.name
            for field, t in zip(schema, timed, strict=True)
        ]
    )
    rows = 0
    for batch in batches:
        columns = [column.to_pylist() for column in batch.columns]
        for values in zip(*columns, strict=True):
            line = []
            for value, is_time, is_date in zip(values, timed, dated, strict=True):
                if isinstance(value, datetime) and is_time:
                    if value.tzinfo is not None:
                        value = value.astimezone(zone).replace(tzinfo=None)
                    cell = WriteOnlyCell(sheet, value)
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, date) and is_date:
                    cell = WriteOnlyCell(sheet, value)
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str):
                    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
                    # A string set this way is stored as text, so "=..." never runs.
                    cell.data_type = "s"
                else:
                    cell = WriteOnlyCell(sheet, value)
                line.append(cell)
            sheet.append(line)
            rows += 1
    book.save(stream)
    return rows
