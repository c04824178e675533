"""Write the CSV corpus: malformed and unusual files an analyst may hand over.

Some need exact bytes (byte-order marks, UTF-16, Windows-1252, CR line endings, NUL bytes), so
the files are generated from this script and committed; ``expected.yml`` says what reading
each one must give. Run ``python tests/data/csv/make_corpus.py [DIR]`` after changing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

BASIC = "Email,FirstName,LastName\nzoe@example.com,Zoë,Lefèvre\nbob@example.com,Bob,Roy\nann@example.com,Ann,Ng\n"
CRLF = BASIC.replace("\n", "\r\n")
FR_EXCEL = "Courriel;Prénom;Montant\r\nzoe@example.com;Zoë;1,50\r\nluc@example.com;Luc;20,00\r\n"


def corpus() -> dict[str, bytes]:
    """File name → exact bytes."""
    files = {
        "utf8_basic.csv": BASIC.encode("utf-8"),
        "utf8_bom.csv": b"\xef\xbb\xbf" + BASIC.encode("utf-8"),
        "utf16le_bom.csv": "\ufeff".encode("utf-16-le") + CRLF.encode("utf-16-le"),
        "utf16be_bom.csv": "\ufeff".encode("utf-16-be") + CRLF.encode("utf-16-be"),
        "cp1252_accents.csv": "Name,City,Price\nZoë,Montréal,5 €\nJosé,Québec,10 €\n".encode(
            "cp1252"
        ),
        "cp1252_smart_quotes.csv": "Name,Note\nAnn,“quoted” – dash\n".encode("cp1252"),
        "crlf.csv": CRLF.encode("utf-8"),
        "cr_only.csv": BASIC.replace("\n", "\r").encode("utf-8"),
        "mixed_line_endings.csv": b"A,B\r\n1,2\n3,4\r\n5,6\n",
        "excel_fr_semicolon_bom.csv": b"\xef\xbb\xbf" + FR_EXCEL.encode("utf-8"),
        "tab_delimited.csv": b"Email\tName\nzoe@example.com\tZo, e\nbob@example.com\tBob\n",
        "pipe_delimited.csv": b"Id|Name|Note\n1|Ann|a, b; c\n2|Bob|\n",
        "quoted_newlines.csv": b'Id,Comment,Name\n1,"first line\nsecond line",Ann\n2,plain,Bob\n',
        "quoted_delimiters.csv": b'Name,Company\n"Smith, John","Acme; Inc."\n',
        "escaped_quotes.csv": b'Id,Quote\n1,"He said ""hi"""\n2,5" screen\n',
        "header_only.csv": b"Email,FirstName,LastName\n",
        "empty.csv": b"",
        "only_blank_lines.csv": b"\n\n  \n",
        "blank_trailing_lines.csv": BASIC.encode("utf-8") + b"\n\n\r\n",
        "blank_middle_line.csv": b"A,B\n1,2\n\n3,4\n",
        "excel_trailing_delimiter_rows.csv": b"A,B,C\n1,2,3\n,,\n,,\n",
        "ragged_too_many.csv": b"A,B,C\n1,2,3\n4,5,6,7\n8,9,10\n",
        "ragged_too_few.csv": b"A;B;C\n1;2;3\n4;5;6\n7;8\n",
        "duplicate_headers.csv": b"Id,Email,Name,email\n1,a@x.com,Ann,b@x.com\n",
        "empty_header.csv": b"Id,,Name\n1,x,Ann\n",
        "trailing_delimiter_header.csv": b"Id,Name,Email,\n1,Ann,a@x.com,\n",
        "unclosed_quote.csv": b'Id,Note\n1,fine\n2,"never closed\n3,more\n',
        "text_after_quote.csv": b'Id,Note\n1,ok\n2,"quoted"tail\n',
        "nul_bytes.csv": b"Id,Name\n1,Ann\n2,B\x00b\n",
        "utf16le_no_bom.csv": "Id,Name\r\n1,Ann\r\n".encode("utf-16-le"),
        "binary_png.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        "control_character.csv": b"Id,Name\n1,Ann\n2,B\x01ob\n",
        "mixed_encodings.csv": "Name\nZoë\n".encode() + "José\n".encode("cp1252"),
        "whitespace_headers.csv": b" Email , Name\nzoe@example.com,Zoe\n",
        "na_strings.csv": b"A,B,C\nNA,null,N/A\n,None,-\n",
        "formula_cells.csv": b"Name,Note\nAnn,=SUM(A1:A2)\nBob,@cmd\n",
        "single_column.csv": b"Email\nzoe@example.com\nbob@example.com\n",
    }
    return files


def write_corpus(folder: Path) -> list[Path]:
    """Write every corpus file into ``folder``."""
    written = []
    for name, data in corpus().items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    print(f"wrote {len(write_corpus(target))} files to {target}")
