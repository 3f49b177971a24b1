"""FSMA 204: the electronic sortable spreadsheet of critical tracking events and key data
elements (21 CFR part 1 subpart S), for a date range and/or traceability lot codes.

``query`` builds the rows (``fsma_rows`` / ``fsma_dicts`` for any caller, the API too),
``places`` the location descriptions and lot code sources, ``export`` the XLSX and CSV files,
``views`` the operator and inspector pages.
"""

from shilian.interop.fsma.query import COLUMNS, HEADERS, KEYS, FsmaQuery, fsma_dicts, fsma_lines, fsma_rows

__all__ = ["COLUMNS", "HEADERS", "KEYS", "FsmaQuery", "fsma_dicts", "fsma_lines", "fsma_rows"]
