"""Print an .xlsx workbook as JSON, read with openpyxl (a third-party reader): every sheet's
name and rows, each cell as [value, data type, number format] or null when empty. The tests of
the reporting API's Excel exports compare this with the API's own figures.

    python scripts/lib/xlsx-dump.py file.xlsx
"""

import json
import sys

import openpyxl


def cell(c):
    if c.value is None:
        return None
    return [c.value, c.data_type, c.number_format]


def main(path):
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = [[cell(c) for c in row] for row in ws.iter_rows()]
        sheets.append({"name": ws.title, "rows": rows})
    print(json.dumps({"sheets": sheets}, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
