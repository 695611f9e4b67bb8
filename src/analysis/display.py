"""Tables for reading in a notebook: ``analysis.show(frame)``.

pandas shows a float column of counts as "1236.0", three kinds of missing (NaN, NaT, <NA>),
six decimals of a share, and lets a wide table run off the pane. ``show`` renders the same
frame for a reader: whole numbers without ".0", other numbers to three significant digits,
dates as dates, True/False as yes/no, missing as one mark, a value and its ``_low``/``_high``
interval in one column, at most a screen wide (wider tables wrap into blocks of columns that
repeat the first column), and a long table cut with a count of the rows left out.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING = "–"
"""How every missing value (NaN, NaT, <NA>, None) is shown."""

MAX_WIDTH_PX = 1000
"""A JupyterLab pane beside the file browser on a laptop screen is about this wide."""

CHAR_PX = 7.5
CELL_PADDING_PX = 16
MAX_CELL_CHARS = 40
"""Text longer than this wraps inside its cell, so one long note does not set the width."""


@dataclass(frozen=True)
class Table:
    """A frame rendered for reading: HTML in a notebook, aligned text elsewhere."""

    blocks: list[pd.DataFrame]
    note: str

    def _repr_html_(self) -> str:
        parts = [_html_block(block) for block in self.blocks]
        if self.note:
            parts.append(f'<p style="margin:2px 0 8px;color:#555">{html.escape(self.note)}</p>')
        return "\n".join(parts)

    def __repr__(self) -> str:
        text = "\n\n".join(block.to_string(index=False) for block in self.blocks)
        return f"{text}\n{self.note}" if self.note else text


def show(frame: pd.DataFrame, columns: list[str] | None = None, rows: int = 20,
         intervals: bool = True) -> Table:
    """``frame`` (or its ``columns``) for reading; at most ``rows`` rows (the first ones, and a
    line saying how many more there are). With ``intervals``, a column ``x`` with ``x_low`` and
    ``x_high`` beside it becomes one column "x (low–high)"."""
    frame = frame if columns is None else frame[columns]
    total = len(frame)
    head = frame.head(rows)
    text = _as_text(head, intervals)
    note = f"{total - rows:,} more rows not shown ({total:,} in all)" if total > rows else ""
    return Table(_blocks(text), note)


def _as_text(frame: pd.DataFrame, intervals: bool) -> pd.DataFrame:
    shown: dict[str, pd.Series] = {}
    names = [str(name) for name in frame.columns]
    merged = set()
    for name, column in zip(names, frame.columns, strict=True):
        if name in merged:
            continue
        low, high = f"{name}_low", f"{name}_high"
        if intervals and low in names and high in names:
            value = _cells(frame[column])
            lows, highs = (_cells(frame[frame.columns[names.index(bound)]])
                           for bound in (low, high))
            plain = ((lows == MISSING) & (highs == MISSING)) | ((lows == value)
                                                                 & (highs == value))
            shown[f"{name} (low–high)"] = pd.Series(
                np.where(plain, value, np.where(value == MISSING, lows + "–" + highs,
                                                value + " (" + lows + "–" + highs + ")")),
                index=frame.index)
            merged.update({low, high})
            continue
        shown[name] = _cells(frame[column])
    return pd.DataFrame(shown, index=frame.index)


def _cells(column: pd.Series) -> pd.Series:
    """Each value as text, missing as ``MISSING``."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_bool_dtype(column) or _all_bool(column):
        text = column.map(lambda v: "yes" if v is True or v is np.True_ else
                          "no" if v is False or v is np.False_ else "")
    elif pd.api.types.is_datetime64_any_dtype(column):
        times = pd.to_datetime(column)
        fmt = "%Y-%m-%d %H:%M" if (times.dropna().dt.normalize() != times.dropna()).any() \
            else "%Y-%m-%d"
        text = times.dt.strftime(fmt)
    elif pd.api.types.is_numeric_dtype(column):
        text = _numbers(pd.to_numeric(column).astype("float64"))
    else:
        text = column.map(_value)
    return pd.Series(np.where(missing, MISSING, text.astype(object)), index=column.index,
                     dtype=object)


def _all_bool(column: pd.Series) -> bool:
    values = column.dropna()
    return column.dtype == object and len(values) > 0 and values.map(
        lambda v: isinstance(v, bool | np.bool_)).all()


def _numbers(values: pd.Series) -> pd.Series:
    whole = values.dropna()
    if len(whole) and (whole == whole.round()).all():
        return values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}" if abs(v) >= 10_000
                          else f"{v:.0f}")
    return values.map(_significant)


def _significant(value: float) -> str:
    """Three significant digits, never in exponent form; whole part kept for large values."""
    if pd.isna(value):
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"
    text = f"{value:.3g}"
    return f"{value:.6f}".rstrip("0").rstrip(".") if "e" in text else text


def _value(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if value == value.normalize() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return _significant(float(value))
    return str(value)


def _width(column: pd.Series, name: str) -> float:
    """Pixels the column takes: its longest cell (text wraps at ``MAX_CELL_CHARS``) or its
    heading (which wraps at underscores and spaces)."""
    cells = column.astype(str).str.len().max() if len(column) else 0
    heading = max((len(part) for part in name.replace("_", " ").split()), default=0)
    return min(max(cells, heading), MAX_CELL_CHARS) * CHAR_PX + CELL_PADDING_PX


def _blocks(text: pd.DataFrame) -> list[pd.DataFrame]:
    """The columns in blocks at most ``MAX_WIDTH_PX`` wide, each after the first repeating the
    first column so a row can be followed across blocks."""
    if text.shape[1] == 0:
        return [text]
    widths = {name: _width(text[name], name) for name in text.columns}
    first = text.columns[0]
    blocks, current, used = [], [first], widths[first]
    for name in text.columns[1:]:
        if used + widths[name] > MAX_WIDTH_PX and len(current) > 1:
            blocks.append(text[current])
            current, used = [first], widths[first]
        current.append(name)
        used += widths[name]
    blocks.append(text[current])
    return blocks


def _html_block(block: pd.DataFrame) -> str:
    def heading(name: str) -> str:
        return html.escape(name).replace("_", "_<wbr>")

    numeric = {name: block[name].map(lambda v: v == MISSING or _looks_numeric(v)).all()
               for name in block.columns}
    head = "".join(f'<th style="text-align:{"right" if numeric[name] else "left"};'
                   f'white-space:normal;max-width:{MAX_CELL_CHARS}ch">{heading(name)}</th>'
                   for name in block.columns)
    body = "".join(
        "<tr>" + "".join(
            f'<td style="text-align:{"right" if numeric[name] else "left"};'
            f'white-space:normal;max-width:{MAX_CELL_CHARS}ch">{html.escape(str(value))}</td>'
            for name, value in zip(block.columns, row, strict=True)) + "</tr>"
        for row in block.itertuples(index=False))
    return (f'<table class="analysis-table" style="max-width:{MAX_WIDTH_PX}px;'
            f'margin:0 0 6px"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def _looks_numeric(value: object) -> bool:
    text = str(value).replace(",", "").replace("–", "-").split(" (")[0]
    try:
        float(text)
    except ValueError:
        return False
    return True
