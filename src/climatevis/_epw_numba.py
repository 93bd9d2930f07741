"""Compiled tokenizer for the data section of EPW files (optional; needs numba).

:mod:`climatevis.epw` imports this lazily and never in Pyodide. The tokenizer
is deliberately narrow: it accepts only the plain form EPW writers produce
(``-?digits[.digits]`` numbers, one record per ``\\n`` or ``\\r\\n`` line,
exactly 35 fields) and gives up on anything else. The caller then parses the
same bytes with pandas, which either accepts them or names the bad line and
field, so this module never decides what is an error.

Every accepted value is bit-identical to what pandas' C parser returns
(checked field by field in ``tests/test_epw_fast.py``):

* A decimal with at most 15 digits is an exact integer mantissa ``m`` (< 2**53)
  and ``k`` <= 15 fraction digits; ``10**k`` is an exact double, so one IEEE
  division ``m / 10**k`` is the correctly rounded value of the decimal, the
  same double ``strtod`` (and pandas) returns.
* pandas parses a column without any decimal point as int64 and the reader
  casts it to float, which turns ``-0`` into ``+0.0``; a column with a decimal
  point keeps ``-0.0``. The tokenizer repeats that per column.
* pandas makes the text column (data source flags) text only when some field
  in it cannot be a number or a boolean. The tokenizer takes the column only
  when some field holds a byte that can occur in neither, such as the ``?``
  or ``*`` that every source flag string has.
"""

from __future__ import annotations

import numba
import numpy as np

# kinds of columns (``kinds`` argument of :func:`tokenize`)
FLOAT = 0  # -> floats[slot]
INT = 1  # -> ints[slot]; no decimal point allowed
QUOTED_INT = 2  # INT that may carry one ' on either side (present-weather codes)
TEXT = 3  # bytes as they are -> text, text_offsets

_POW10 = np.array([float(10**k) for k in range(16)])  # exact doubles up to 1e15
_MAX_DIGITS = 15  # keeps every mantissa below 2**53 (exactly representable)

_COMMA, _LF, _CR, _MINUS, _DOT, _QUOTE, _DOUBLE_QUOTE = 44, 10, 13, 45, 46, 39, 34


@numba.njit(cache=True, nogil=True, boundscheck=False)
def _is_symbol(c: int) -> bool:
    """A byte that never occurs in something pandas can read as a number or bool."""
    if 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122:  # digits, letters
        return False
    return c not in (43, 45, 46, 32, 9)  # + - . space tab


@numba.njit(cache=True, nogil=True, boundscheck=False)
def tokenize(kinds, slots, n_floats, n_ints, buf):
    """Parse the data section ``buf`` (uint8, without a trailing line end).

    ``kinds[c]`` (int8, the constants above) and ``slots[c]`` say how column
    ``c`` is read and which row of its block it fills. Returns ``(records,
    floats, ints, text, text_offsets, text_is_ascii)``: the float64 and int64
    blocks, shape (n_floats or n_ints, records); the text column as one byte
    string with ``records + 1`` offsets (Arrow's string layout); and whether
    it is pure ASCII. ``records == -1`` when the bytes are not in the plain
    form: the caller then parses them with pandas.
    """
    rows = 1
    for i in range(buf.size):
        if buf[i] == _LF:
            rows += 1
    floats = np.empty((n_floats, rows))
    ints = np.empty((n_ints, rows), dtype=np.int64)
    text = np.empty(buf.size, dtype=np.uint8)
    text_offsets = np.empty(rows + 1, dtype=np.int64)
    n, text_is_ascii = _parse(kinds, slots, buf, floats, ints, text, text_offsets)
    text = text[: text_offsets[n]].copy() if n == rows else text[:0]
    return (n if n == rows else -1), floats, ints, text, text_offsets, text_is_ascii


@numba.njit(cache=True, nogil=True, boundscheck=False)
def _parse(kinds, slots, buf, floats, ints, text, text_offsets):
    """Fill the outputs of :func:`tokenize`; returns (records or -1, text_is_ascii)."""
    n = buf.size
    n_cols = kinds.size
    max_rows = floats.shape[1]
    has_point = np.zeros(n_cols, dtype=np.bool_)
    text_has_symbol = False
    text_is_ascii = True
    text_end = 0
    text_offsets[0] = 0
    pos = 0
    row = 0
    while pos < n:
        if row == max_rows:
            return -1, False
        for col in range(n_cols):
            kind = kinds[col]
            if kind == TEXT:
                while pos < n and buf[pos] != _COMMA:
                    c = buf[pos]
                    # a line end, pandas' quote character, or NUL: let pandas judge
                    if c == _LF or c == _CR or c == _DOUBLE_QUOTE or c == 0:
                        return -1, False
                    if not text_has_symbol and _is_symbol(c):
                        text_has_symbol = True
                    if c >= 128:
                        text_is_ascii = False
                    text[text_end] = c
                    text_end += 1
                    pos += 1
                text_offsets[row + 1] = text_end
            else:
                if kind == QUOTED_INT and pos < n and buf[pos] == _QUOTE:
                    pos += 1
                negative = pos < n and buf[pos] == _MINUS
                if negative:
                    pos += 1
                mantissa = 0
                digits = 0
                fraction = -1  # digits after the point; -1: no point
                while pos < n:
                    c = buf[pos]
                    if 48 <= c <= 57:
                        mantissa = mantissa * 10 + (c - 48)
                        digits += 1
                        if fraction >= 0:
                            fraction += 1
                    elif c == _DOT and fraction < 0 and kind == FLOAT and digits > 0:
                        fraction = 0
                    else:
                        break
                    pos += 1
                # "5." and ".5" are numbers to pandas too, but no EPW writer
                # emits them: leave them (and more than 15 digits) to pandas
                if digits == 0 or digits > _MAX_DIGITS or fraction == 0:
                    return -1, False
                if kind == QUOTED_INT and pos < n and buf[pos] == _QUOTE:
                    pos += 1
                if kind == FLOAT:
                    value = mantissa / _POW10[fraction] if fraction > 0 else float(mantissa)
                    if fraction > 0:
                        has_point[col] = True
                    floats[slots[col], row] = -value if negative else value
                else:
                    ints[slots[col], row] = -mantissa if negative else mantissa
            # the separator: a comma between fields, \n or \r\n after the last
            if col < n_cols - 1:
                if pos >= n or buf[pos] != _COMMA:
                    return -1, False
                pos += 1
            elif pos < n:
                if buf[pos] == _CR:
                    pos += 1
                if pos >= n or buf[pos] != _LF:
                    return -1, False
                pos += 1
        row += 1
    if not text_has_symbol:  # pandas might read the text column as numbers or booleans
        return -1, False
    for col in range(n_cols):  # columns pandas reads as int64 have no -0.0 (module doc)
        if kinds[col] == FLOAT and not has_point[col]:
            slot = slots[col]
            for r in range(row):
                floats[slot, r] += 0.0
    return row, text_is_ascii
