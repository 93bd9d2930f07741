"""The compiled (numba) data tokenizer of climatevis.epw against its pandas path.

Both paths must give the same answer for every input: bit-identical frames, or
the same EPWError message. The compiled one must actually take the real files
(otherwise it is no fast path), and the reader must work without numba.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from climatevis import epw
from climatevis.epw import COLUMNS, EPWError, read_epw
from tests.conftest import canmet_epw_paths, shared_epw_paths
from tests.test_epw import bad_inputs, leap_year_lines, lines_of, sub_hourly_lines, text_of

pytest.importorskip("numba")

REFERENCE_FILES = shared_epw_paths() + canmet_epw_paths()
ids = [p.name for p in REFERENCE_FILES]


@contextlib.contextmanager
def numba_path(enabled: bool):
    """Force the compiled tokenizer on or off (the documented environment switch)."""
    old = os.environ.pop(epw.NO_NUMBA_ENV, None)
    if not enabled:
        os.environ[epw.NO_NUMBA_ENV] = "1"
    try:
        yield
    finally:
        os.environ.pop(epw.NO_NUMBA_ENV, None)
        if old is not None:
            os.environ[epw.NO_NUMBA_ENV] = old


def outcome(source, fast: bool) -> epw.Weather | str:
    with numba_path(fast):
        try:
            return read_epw(source)
        except EPWError as err:
            return f"EPWError: {err}"


def assert_same(a: epw.Weather | str, b: epw.Weather | str) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    for col in COLUMNS:  # bit for bit: assert_frame_equal treats -0.0 == 0.0
        x, y = a.data[col].to_numpy(), b.data[col].to_numpy()
        if x.dtype == np.float64:
            np.testing.assert_array_equal(x.view(np.int64), y.view(np.int64), err_msg=col)
    assert repr({k: v for k, v in vars(a).items() if k != "data"}) == repr(
        {k: v for k, v in vars(b).items() if k != "data"}
    )


def fast_path_takes(content: bytes) -> bool:
    """True when the compiled tokenizer parses the data itself (no pandas fallback)."""
    with numba_path(True):
        tokenize = epw._fast_tokenizer()
        assert tokenize is not None, "numba is installed but the compiled tokenizer is unavailable"
        _records, body, _first = epw._split_header(content, "<test>")
        return epw._tokenize_fast(tokenize, memoryview(bytes(body).rstrip(b"\r\n \t"))) is not None


def check_both(content: bytes, *, fast_expected: bool | None = True) -> epw.Weather | str:
    fast, slow = outcome(content, True), outcome(content, False)
    assert_same(fast, slow)
    if fast_expected is not None:
        assert fast_path_takes(content) is fast_expected
    return fast


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=ids)
def test_reference_files_identical(path):
    result = check_both(path.read_bytes())
    assert isinstance(result, epw.Weather) and len(result.data) == 8760


def test_leap_and_sub_hourly_identical(vienna_epw):
    for lines in (leap_year_lines(vienna_epw), sub_hourly_lines(vienna_epw), sub_hourly_lines(vienna_epw, 60, days=2)):
        result = check_both(text_of(lines).encode("latin-1"))
        assert isinstance(result, epw.Weather), result


def test_line_endings_and_trailing_blank_lines(vienna_epw):
    lines = lines_of(vienna_epw)
    crlf = ("\r\n".join(lines) + "\r\n").encode("latin-1")
    lf = text_of(lines).encode("latin-1")
    for content in (crlf, crlf[:-2], crlf + b"\r\n", lf + b"\n", lf + b"\n\n\n", lf + b" \t\n", lf[:-1]):
        result = check_both(content)
        assert isinstance(result, epw.Weather), result  # one trailing blank line used to fail
    # a lone \r ends a data line for pandas; the compiled tokenizer leaves that to pandas
    old_mac = (text_of(lines[:8]) + "\r".join(lines[8:]) + "\r").encode("latin-1")
    assert isinstance(check_both(old_mac, fast_expected=False), epw.Weather)


def test_bad_inputs_same_message(vienna_epw):
    for name, content, _pattern in bad_inputs(vienna_epw):
        fast, slow = outcome(content, True), outcome(content, False)
        assert isinstance(fast, str), name
        assert fast == slow, name


# --------------------------------------------------------------------------- edge cases


@pytest.fixture(scope="module")
def one_day(vienna_epw) -> list[str]:
    lines = lines_of(vienna_epw)
    dp = lines[7].split(",")
    dp[-1] = "1/ 1"
    return lines[:7] + [",".join(dp)] + lines[8:32]


def with_field(lines: list[str], field: int, values, rows=range(8, 32)) -> bytes:
    out = list(lines)
    values = [values] * len(rows) if isinstance(values, str) else list(values)
    for row, value in zip(rows, values, strict=True):
        f = out[row].split(",")
        f[field] = value
        out[row] = ",".join(f)
    return text_of(out).encode("latin-1")


@pytest.mark.parametrize(
    ("field", "values", "fast_expected"),
    [
        (6, "-0.0", True),  # temp_air: a float column keeps -0.0
        (6, ["-0", *["1.5"] * 23], True),  # ... also for "-0" when another row has a point
        (8, "-0", True),  # relative_humidity all integers: pandas reads int64, -0 -> +0.0
        (6, "12345.678901234", True),  # 15 digits: still exact
        (6, "0.1234567890123456", False),  # 16 digits: pandas decides
        (6, "5.", False),
        (6, ".5", False),
        (6, "+5", False),
        (6, " 5", False),
        (6, "1e2", False),
        (27, "'999999999", True),  # quoted present-weather codes
        (27, "'999999099'", True),
        (27, ["'999999999", *["999999999"] * 23], True),
        (27, "9.5", False),
        (5, "0", False),  # an all-numeric text column is int64 to pandas
        (5, "ABC", False),  # letters only: pandas might read booleans
        (5, ["?9?9", *["ABC"] * 23], True),
        (5, "\"?9\"", False),  # pandas' quote character
        (5, "é?9", True),  # Latin-1 text column
        (0, "1995.0", False),
        (13, "", False),
        (13, "99999", True),  # ghi: missing code ">= 9999"
        (29, "0.999", True),  # aerosol optical depth: exact missing code only
        (29, "1.999", True),
    ],
)
def test_edge_values_identical(one_day, field, values, fast_expected):
    check_both(with_field(one_day, field, values), fast_expected=fast_expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row=st.integers(min_value=0, max_value=31),
    position=st.integers(min_value=0, max_value=400),
    junk=st.text(
        alphabet=st.sampled_from(list("0123456789-.,'\"\r\n \teE+?*")) | st.characters(codec="latin-1"),
        max_size=6,
    ),
    drop=st.integers(min_value=0, max_value=5),
)
def test_fuzzed_lines_identical(one_day, row, position, junk, drop):
    lines = list(one_day)
    line = lines[row]
    at = min(position, len(line))
    lines[row] = line[:at] + junk + line[at + drop:]
    check_both(text_of(lines).encode("latin-1"), fast_expected=None)


decimals = st.builds(
    lambda sign, whole, frac: f"{sign}{whole}{'.' + frac if frac else ''}",
    st.sampled_from(["", "-"]),
    st.text(alphabet="0123456789", min_size=1, max_size=9),
    st.text(alphabet="0123456789", max_size=8),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from([6, 9, 13, 21, 29, 33]), values=st.lists(decimals, min_size=24, max_size=24))
def test_fuzzed_numbers_identical(one_day, field, values):
    """Random decimals (up to 17 digits) in float fields: the same doubles as pandas."""
    result = check_both(with_field(one_day, field, values), fast_expected=None)
    if isinstance(result, epw.Weather):
        col = result.data[COLUMNS[field]].to_numpy()
        code = dict((f[0], f[2]) for f in epw.EPW_FIELDS)[COLUMNS[field]]
        for value, parsed in zip(values, col, strict=True):
            if not np.isnan(parsed):  # correctly rounded, as Python's float() is
                assert parsed == float(value), value
            else:
                assert code is not None and float(value) >= code, value


@pytest.mark.parametrize("option", [("mode.string_storage", "python"), ("future.infer_string", False)])
def test_text_column_follows_pandas_string_dtype(one_day, option):
    """The text column has read_csv's dtype whatever pandas' string options say."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")  # deprecated in 3.x
        with pd.option_context(*option):
            for content in (text_of(one_day).encode("latin-1"), with_field(one_day, 5, "é?9")):
                result = check_both(content)
                assert result.data["data_source_unct"].dtype == pd.Series([""]).dtype


def test_frame_without_pandas_internals(vienna_epw, monkeypatch):
    """pandas < 3 has no pandas.api.internals: the plain constructor gives the same frame."""
    reference = read_epw(vienna_epw)
    monkeypatch.setitem(sys.modules, "pandas.api.internals", None)  # import now fails
    assert_same(read_epw(vienna_epw), reference)


# --------------------------------------------------------------------------- without numba


def test_environment_switch_and_emscripten(monkeypatch):
    monkeypatch.setenv(epw.NO_NUMBA_ENV, "1")
    assert epw._fast_tokenizer() is None
    monkeypatch.setenv(epw.NO_NUMBA_ENV, "0")
    assert epw._fast_tokenizer() is not None
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert epw._fast_tokenizer() is None


BROKEN_NUMBA = """
import types
def njit(**options):  # what numba does when it finds no writable cache directory
    raise RuntimeError("cannot cache function 'tokenize': no locator available")
sys.modules['numba'] = types.SimpleNamespace(njit=njit)
"""


@pytest.mark.parametrize(
    ("numba", "warning"),
    [("sys.modules['numba'] = None", ""),  # makes `import numba` raise ImportError
     (BROKEN_NUMBA, "compiled tokenizer unavailable (RuntimeError: cannot cache function")],
    ids=["absent", "broken"],
)
def test_reads_without_numba(vienna_epw, numba, warning):
    """Where numba is missing (Pyodide, a minimal install) or fails, pandas does the work."""
    code = (
        "import sys, warnings\n"
        f"{numba}\n"
        "from climatevis import epw\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    for _ in range(2):\n"
        f"        w = epw.read_epw({str(vienna_epw)!r})\n"
        "assert epw._compiled is False\n"
        "print(len(w.data), w.data['temp_air'].sum())\n"
        "print('|'.join(str(c.message) for c in caught))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != epw.NO_NUMBA_ENV}
    env["PYTHONPATH"] = str(Path(epw.__file__).parent.parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    numbers, messages = out.stdout.splitlines()
    rows, total = numbers.split()
    reference = read_epw(vienna_epw).data["temp_air"]
    assert int(rows) == len(reference) and float(total) == reference.sum()
    if warning:  # once per process, then silence
        assert messages.count(warning) == 1, messages
    else:
        assert messages == ""
