"""The server's own HTML: the index of notebooks and the login page.

Self-contained pages (inline CSS, no scripts, no external fonts) in the CES
look of the charts: black background, gold accents, light-grey text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from climatevis.server.catalog import Notebook

__all__ = ["GROUP_TITLES", "index_page", "login_page", "message_page"]

#: Section headings and blurbs for the folders under notebooks/.
GROUP_TITLES = {
    "demos": ("Demos", "The interactive demos of the CES website, running live on this server."),
    "analysis": ("Analysis", "Engineering notebooks: EnergyPlus runs, surrogate models, data pipelines."),
}

# The CES palette of climatevis.charts, repeated here so that the server starts
# without importing plotly (seconds); tests/test_server_units.py keeps them equal.
BLACK, PANEL, GOLD, GOLD_LIGHT = "#000000", "#0d0d0d", "#d4a72c", "#f0cf6b"
TEXT, MUTED = "#e8e6e1", "#a7a39a"
FONT = "Inter, 'Helvetica Neue', Arial, sans-serif"

_CSS = f"""
:root {{ color-scheme: dark; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: {BLACK}; color: {TEXT}; font: 16px/1.5 {FONT}; }}
header {{ display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: 1.25rem clamp(1rem, 4vw, 3rem); border-bottom: 2px solid {GOLD}; }}
header .brand {{ color: {GOLD}; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; }}
header .brand span {{ color: {MUTED}; font-weight: 400; letter-spacing: 0; text-transform: none; }}
main {{ max-width: 72rem; margin: 0 auto; padding: 2rem clamp(1rem, 4vw, 3rem) 4rem; }}
h1 {{ color: {GOLD}; font-size: clamp(1.6rem, 3vw, 2.2rem); margin: 0 0 .5rem; }}
h2 {{ color: {GOLD}; font-size: 1.35rem; margin: 2.5rem 0 .25rem; }}
p.lead, p.blurb {{ color: {MUTED}; margin: 0 0 1rem; }}
ul.cards {{ list-style: none; padding: 0; margin: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }}
li.card {{ background: {PANEL}; border: 1px solid #2b2b2b; border-left: 3px solid {GOLD};
  border-radius: 6px; padding: 1rem 1.1rem; display: flex; flex-direction: column; gap: .5rem; }}
li.card h3 {{ margin: 0; font-size: 1.1rem; }}
li.card p {{ margin: 0; color: {MUTED}; font-size: .95rem; flex: 1; }}
li.card .actions {{ display: flex; gap: .75rem; }}
a {{ color: {GOLD_LIGHT}; }}
a.button, button {{ display: inline-block; background: {GOLD}; color: {BLACK}; border: 0;
  border-radius: 4px; padding: .45rem .9rem; font: 600 .95rem {FONT}; text-decoration: none;
  cursor: pointer; }}
a.button.secondary, button.secondary {{ background: transparent; color: {GOLD_LIGHT};
  border: 1px solid {GOLD}; }}
a.button:focus-visible, button:focus-visible, input:focus-visible {{ outline: 2px solid {GOLD_LIGHT};
  outline-offset: 2px; }}
code {{ color: {GOLD_LIGHT}; }}
form.login {{ max-width: 22rem; margin: 12vh auto 0; background: {PANEL}; padding: 2rem;
  border: 1px solid #2b2b2b; border-top: 3px solid {GOLD}; border-radius: 6px; }}
form.login label {{ display: block; color: {MUTED}; margin: 1rem 0 .35rem; }}
form.login input {{ width: 100%; padding: .55rem .7rem; background: {BLACK}; color: {TEXT};
  border: 1px solid #4a4a4a; border-radius: 4px; font: inherit; }}
form.login button {{ margin-top: 1.25rem; width: 100%; }}
p.error {{ color: #ff8a80; margin: 1rem 0 0; }}
footer {{ color: {MUTED}; font-size: .85rem; margin-top: 3rem; }}
"""


def _document(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"color-scheme\" content=\"dark\"><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _header(base_url: str, logout: bool) -> str:
    button = (
        f'<form method="post" action="{escape(base_url)}/logout">'
        '<button class="secondary" type="submit">Log out</button></form>'
        if logout else ""
    )
    return (f'<header><div class="brand">CES Clean Energy Solutions <span>· climatevis</span></div>'
            f"{button}</header>")


def _card(nb: Notebook, base_url: str, edit: bool) -> str:
    href = f"{base_url}/{nb.slug}/"
    edit_link = (
        f'<a class="button secondary" href="{escape(base_url)}/edit/?file={escape(nb.relative)}">'
        "Edit</a>" if edit else ""
    )
    return (
        f'<li class="card" data-notebook="{escape(nb.slug)}"><h3><a href="{escape(href)}">'
        f"{escape(nb.title)}</a></h3><p>{escape(nb.description)}</p>"
        f'<div class="actions"><a class="button" href="{escape(href)}">Open</a>{edit_link}</div></li>'
    )


def index_page(notebooks: Sequence[Notebook], base_url: str, *, edit: bool, logout: bool) -> str:
    """The landing page: every notebook by group, with its description and links."""
    groups: dict[str, list[Notebook]] = {}
    for nb in notebooks:
        groups.setdefault(nb.group, []).append(nb)
    order = [g for g in GROUP_TITLES if g in groups] + sorted(set(groups) - set(GROUP_TITLES))
    sections = []
    for group in order:
        title, blurb = GROUP_TITLES.get(group, (group.replace("_", " ").title() or "Notebooks", ""))
        cards = "".join(_card(nb, base_url, edit) for nb in groups[group])
        blurb_html = f'<p class="blurb">{escape(blurb)}</p>' if blurb else ""
        sections.append(f'<section id="{escape(group or "notebooks")}"><h2>{escape(title)}</h2>'
                        f'{blurb_html}<ul class="cards">{cards}</ul></section>')
    if not sections:
        sections.append('<p class="lead">No notebooks found in <code>notebooks/</code>.</p>')
    editor = (f'<p class="lead">Engineers: <a href="{escape(base_url)}/edit/">open the editor</a> '
              "to change or add notebooks.</p>" if edit else "")
    body = (
        f"{_header(base_url, logout)}<main><h1>Notebooks</h1>"
        '<p class="lead">Weather, comfort, PV and building-energy engineering, as marimo apps.</p>'
        f"{editor}{''.join(sections)}</main>"
    )
    return _document("CES · climatevis notebooks", body)


def login_page(base_url: str, next_url: str, error: str | None = None) -> str:
    """The password form (any user name works for HTTP Basic; the form asks only the password)."""
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"{_header(base_url, logout=False)}<main>"
        f'<form class="login" method="post" action="{escape(base_url)}/login">'
        '<h1>Sign in</h1><p class="lead">CES engineers’ notebook server.</p>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" '
        'required autofocus>'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        f'<button type="submit">Sign in</button>{error_html}</form></main>'
    )
    return _document("Sign in · CES climatevis", body)


def message_page(title: str, text: str, base_url: str) -> str:
    body = (f"{_header(base_url, logout=False)}<main><h1>{escape(title)}</h1>"
            f'<p class="lead">{escape(text)}</p><p><a href="{escape(base_url)}/">Back to the index</a></p></main>')
    return _document(f"{title} · CES climatevis", body)
