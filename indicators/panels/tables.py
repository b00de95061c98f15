"""Data tables from named columns (pure: no Django, no database).

A panel's table is ``columns`` (header texts) + ``rows`` (lists of cells in column order): that
is what templates draw and exports write. Builders make a :class:`Table` instead, whose rows
are dicts keyed by column name, so nothing reads a cell by its position: ``table.cell_rows()``
and ``table.headers()`` give the panel's shape, ``table.select(...)`` a sub-table and
:func:`sort_rows` orders rows by a column's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column: ``key`` (the name builders and sorts use) and its header ``title``."""

    key: str
    title: str


@dataclass
class Table:
    """Columns + rows keyed by column key (every row has a cell for every column)."""

    columns: tuple[Column, ...]
    rows: list[dict[str, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.columns = tuple(self.columns)
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys: {keys}")
        for row in self.rows:
            self._check(row)

    def _check(self, row: dict) -> None:
        if set(row) != {c.key for c in self.columns}:
            raise ValueError(f"row keys {sorted(row)} differ from columns {[c.key for c in self.columns]}")

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def add(self, **cells: dict) -> dict:
        """Append a row given as ``key=cell``; returns it."""
        self._check(cells)
        self.rows.append(cells)
        return cells

    def headers(self) -> list[str]:
        return [c.title for c in self.columns]

    def cell_rows(self) -> list[list[dict]]:
        """The rows as lists of cells in column order (the panel/export shape)."""
        return [[row[k] for k in self.keys] for row in self.rows]

    def select(self, *keys: str, titles: dict[str, str] | None = None) -> Table:
        """A table of the columns KEYS (same rows); TITLES renames headers by key."""
        titles = titles or {}
        by_key = {c.key: c for c in self.columns}
        missing = [k for k in keys if k not in by_key]
        if missing:
            raise KeyError(f"no columns {missing}")
        cols = tuple(Column(k, titles.get(k, by_key[k].title)) for k in keys)
        return Table(cols, [{k: row[k] for k in keys} for row in self.rows])

    def extend(self, columns: Iterable[Column], cells: list[dict[str, dict]]) -> None:
        """Add COLUMNS at the end, with each row's new CELLS (one dict per row, in order)."""
        columns = tuple(columns)
        if len(cells) != len(self.rows):
            raise ValueError(f"{len(cells)} new cell sets for {len(self.rows)} rows")
        self.columns = (*self.columns, *columns)
        for row, new in zip(self.rows, cells, strict=True):
            row.update(new)
            self._check(row)


def sort_rows(rows: list[dict], key: str, descending: bool, label: str | None = None) -> list[dict]:
    """Rows (dicts with ``by``: column key -> cell) ordered by the cell of column KEY; cells
    without a value last, whatever the direction. With LABEL, that column sorts by the row's
    ``name`` (text order) instead of the cell's value."""
    if key == label:
        return sorted(rows, key=lambda r: r["name"], reverse=descending)
    present = [r for r in rows if r["by"][key]["value"] is not None]
    missing = [r for r in rows if r["by"][key]["value"] is None]
    return sorted(present, key=lambda r: r["by"][key]["value"], reverse=descending) + missing
