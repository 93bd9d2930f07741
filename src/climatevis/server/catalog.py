"""Which notebooks the server offers, and what each one is about.

Every ``*.py`` under the notebooks folder that defines a marimo app
(``app = marimo.App(...)``) is served. Its URL segment is the file name in
kebab case (``climate_dashboard.py`` → ``climate-dashboard``), its group is
the folder it sits in (``demos``, ``analysis``), and its title and
description come from its first markdown cell: the first heading and the
paragraph that follows it. Notebooks are read with :mod:`ast`, never run.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RESERVED", "CatalogError", "Notebook", "describe", "discover", "slug_of"]

#: URL segments the server uses itself; a notebook may not take them.
RESERVED = frozenset({"health", "login", "logout", "edit", "static", "assets"})
#: Folders that are never scanned: marimo's caches, Python's, hidden ones.
_SKIP_DIRS = {"__marimo__", "__pycache__"}


class CatalogError(ValueError):
    """Two notebooks (or a notebook and the server) want the same URL."""


@dataclass(frozen=True)
class Notebook:
    path: Path          #: absolute path of the notebook file
    relative: str       #: POSIX path relative to the notebooks folder
    slug: str           #: URL segment, e.g. ``climate-dashboard``
    group: str          #: folder under notebooks/, e.g. ``demos``; "" at the top level
    title: str
    description: str


def slug_of(path: Path) -> str:
    """URL segment for a notebook file: lower-case kebab case of its stem."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def _is_marimo_app(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if (isinstance(func, ast.Attribute) and func.attr == "App"
                    and isinstance(func.value, ast.Name) and func.value.id == "marimo"):
                return True
    return False


def _app_title(tree: ast.Module) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "App":
            for kw in node.keywords:
                if kw.arg == "app_title" and isinstance(kw.value, ast.Constant):
                    return str(kw.value.value)
    return None


def _first_markdown(tree: ast.Module) -> str | None:
    """Text of the earliest ``mo.md("...")`` call with a literal string."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "md" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return min(found)[1] if found else None


def _plain(markdown: str) -> str:
    """Inline markdown to plain text (links, emphasis, code spans)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*|`)(.+?)\1", r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def describe(source: str | ast.Module) -> tuple[str | None, str]:
    """``(title, description)`` of a notebook's source (or its parsed tree).

    The title is the first markdown heading of the first ``mo.md`` cell (else
    the app's ``app_title``, else ``None``); the description is the first
    paragraph after it ("" when there is none).
    """
    tree = source if isinstance(source, ast.Module) else ast.parse(source)
    title: str | None = None
    paragraph: list[str] = []
    markdown = _first_markdown(tree)
    if markdown:
        for line in textwrap.dedent(markdown).strip().splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                if title is None and not paragraph:
                    title = _plain(stripped.lstrip("#"))
                    continue
                if paragraph:
                    break
                continue
            if not stripped:
                if paragraph:
                    break
                continue
            paragraph.append(stripped)
    return title or _app_title(tree), _plain(" ".join(paragraph))


def discover(directory: Path | str) -> list[Notebook]:
    """Every marimo notebook under ``directory``, sorted by group then slug.

    Files that are not marimo apps, start with ``_`` or do not parse are
    skipped (a broken notebook must not take the server down; marimo shows
    its error when it is opened in the editor). Raises :class:`CatalogError`
    when two notebooks map to the same URL or one takes a reserved name.
    """
    root = Path(directory).resolve()
    if not root.is_dir():
        raise CatalogError(f"{directory}: notebooks folder not found")
    notebooks: dict[str, Notebook] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if path.name.startswith("_") or any(p in _SKIP_DIRS or p.startswith(".") for p in parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        if not _is_marimo_app(tree):
            continue
        slug = slug_of(path)
        relative = path.relative_to(root).as_posix()
        if slug in RESERVED:
            raise CatalogError(f"{relative}: the URL /{slug}/ is reserved by the server; rename it")
        if slug in notebooks:
            raise CatalogError(
                f"{relative} and {notebooks[slug].relative} would both be served at /{slug}/"
            )
        title, description = describe(tree)
        notebooks[slug] = Notebook(
            path=path, relative=relative, slug=slug,
            group=parts[0] if len(parts) > 1 else "",
            title=title or path.stem.replace("_", " ").capitalize(), description=description,
        )
    return sorted(notebooks.values(), key=lambda nb: (nb.group, nb.slug))
