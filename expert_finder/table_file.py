"""Reading a spreadsheet's CSV export without losing anything: the expert directory and the case import use it.

What people actually hand us: Excel's "CSV UTF-8", Korean Excel's default CP949 (a superset of EUC-KR),
Excel's "Unicode text" (UTF-16, tab-separated), and `;`-separated files from European locales. The
encoding and the delimiter are detected and named back to the user; anything that would import part of
a row (more values than the header has columns, fewer, a quote never closed) is an error on its line.
Rows are numbered by the line they start on, as a spreadsheet or an editor shows it (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class TableProblem:
    line: int  # 0: the whole file
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class TableFileError(ValueError):
    """The file cannot be read as a table; `problems` says where and why, each on its own line."""

    def __init__(self, problems: list[TableProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line the row starts on, column -> value)
    encoding: str  # "UTF-8", "UTF-16" or "CP949"
    delimiter: str

    @property
    def how_read(self) -> str:
        """'' for plain UTF-8 comma-separated; otherwise what was detected, to say back to the user."""
        parts = [f"read as {self.encoding}"] if self.encoding != "UTF-8" else []
        if self.delimiter != ",":
            parts.append(f"{DELIMITER_WORDS[self.delimiter]}-separated")
        return ", ".join(parts)


def read_text(path: Path, *, kind: str = "a file") -> tuple[str, str]:
    """The file's text and the encoding it was in: UTF-8 (BOM or not), UTF-16 with a BOM, or CP949/EUC-KR."""
    if path.is_dir():
        raise TableFileError([TableProblem(0, f"{path} is a folder, not {kind}")])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TableFileError([TableProblem(0, f"file not found: {path}")]) from None
    except OSError as exc:
        raise TableFileError([TableProblem(0, f"{path} cannot be read: {exc.strerror or exc}")]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "CP949"
    except UnicodeDecodeError:
        raise TableFileError([TableProblem(0, f"{path.name} is neither UTF-8 nor Korean (CP949/EUC-KR) text; save "
                                              "it from the spreadsheet as \"CSV UTF-8\"")]) from None


def read_csv(path: Path, *, kind: str = "a CSV file") -> CsvTable:
    text, encoding = read_text(path, kind=kind)
    return parse_csv(text, encoding=encoding, name=path.name)


def parse_csv(text: str, *, encoding: str = "UTF-8", name: str = "the file") -> CsvTable:
    """Every row whole, or a TableFileError naming each line that is not."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[TableProblem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    start = 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # a blank line
            if header is None:
                header = [v.strip().lower() for v in values]
                continue
            if len(values) != len(header):
                problems.append(TableProblem(line, _count_problem(len(values), len(header), delimiter)))
                continue
            rows.append((line, {k: v.strip() for k, v in zip(header, values, strict=True)}))
    except csv.Error:
        problems.append(TableProblem(start, "a quote (\") opened here is never closed, so the rest of the file "
                                            "would be read as one value; close it or double it (\"\") inside a value"))
    if header is None:
        raise TableFileError([TableProblem(0, f"{name} is empty")])
    if problems:
        raise TableFileError(problems)
    return CsvTable(header, rows, encoding, delimiter)


def _count_problem(got: int, expected: int, delimiter: str) -> str:
    word = DELIMITER_WORDS[delimiter]
    if got > expected:
        return (f"{got} values but the header has {expected} columns: a {word} inside a value? Put that value in "
                "double quotes")
    return f"{got} values but the header has {expected} columns: a value is missing"


def _delimiter(text: str) -> str:
    """The separator the header line uses most (outside quotes); a comma when it has none of them."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    outside, quoted = [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
