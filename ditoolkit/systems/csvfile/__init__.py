"""CSV files: strict reading of analysts' files, safe writing, and the System port over them."""

from __future__ import annotations

from ditoolkit.systems.csvfile.files import neutralize, read_csv_file, write_csv_file
from ditoolkit.systems.csvfile.results import write_result_csvs
from ditoolkit.systems.csvfile.system import CsvSystem

__all__ = ["CsvSystem", "neutralize", "read_csv_file", "write_csv_file", "write_result_csvs"]
