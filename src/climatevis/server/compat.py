"""A work-around for a CPython bug that marimo's run mode triggers.

CPython before 3.11.8 (and 3.12.0–3.12.1) kept the recursion depth of the
source-to-AST conversion in interpreter-wide state; when a garbage collection
inside one conversion switches threads and another thread converts source too,
``ast.parse``/``compile(..., PyCF_ONLY_AST)`` raise ``SystemError: AST
constructor recursion depth mismatch`` (https://github.com/python/cpython/issues/106905,
fixed by python/cpython#113476). marimo compiles every cell of every new app
session in that session's thread, so concurrent visitors occasionally see a
cell fail with an internal error. On the affected versions only, AST
conversions in this process are serialised with one re-entrant lock; the
container's Python (3.11.14) does not need it.
"""

from __future__ import annotations

import ast
import builtins
import functools
import sys
import threading

__all__ = ["ast_conversion_is_racy", "serialize_ast_conversion"]

_LOCK = threading.RLock()


def ast_conversion_is_racy(version: tuple[int, ...] | None = None) -> bool:
    v = tuple(version or sys.version_info[:3])
    return (3, 11, 0) <= v < (3, 11, 8) or (3, 12, 0) <= v < (3, 12, 2)


def serialize_ast_conversion() -> bool:
    """Wrap ``ast.parse`` and AST-producing ``compile`` in one lock; True if it was needed."""
    if not ast_conversion_is_racy() or getattr(builtins.compile, "_climatevis_locked", False):
        return False
    original_compile, original_parse = builtins.compile, ast.parse

    @functools.wraps(original_compile)
    def compile(source, filename, mode, flags=0, *args, **kwargs):
        if flags & ast.PyCF_ONLY_AST:
            with _LOCK:
                return original_compile(source, filename, mode, flags, *args, **kwargs)
        return original_compile(source, filename, mode, flags, *args, **kwargs)

    @functools.wraps(original_parse)
    def parse(*args, **kwargs):
        with _LOCK:
            return original_parse(*args, **kwargs)

    compile._climatevis_locked = True
    builtins.compile, ast.parse = compile, parse
    return True
