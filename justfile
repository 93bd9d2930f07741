# climatevis-dashboard — friendly recipes over the doit build graph (dodo.py).
# `just` lists them. Every recipe first makes sure .venv matches the locks.

set windows-shell := ["powershell.exe", "-NoLogo", "-NoProfile", "-Command"]

# .venv is (re)built only when a lock or pyproject.toml changes: tools/bootstrap.py
# writes the hashes below into .venv/.climatevis-ready once the install succeeded.
python := if os_family() == "windows" { ".venv/Scripts/python.exe" } else { ".venv/bin/python" }
system_python := if os_family() == "windows" { "python" } else { "python3" }
ready := if path_exists(".venv/.climatevis-ready") == "true" { trim(read(".venv/.climatevis-ready")) } else { "" }
wanted := sha256_file("requirements.txt") + "-" + sha256_file("requirements-dev.txt") + "-" + sha256_file("pyproject.toml")
doit := python + " tools/run_doit.py"

# Python writes bytecode caches, so doit starts fast on the second run
export PYTHONDONTWRITEBYTECODE := ""

# list the recipes
default:
    @just --list --unsorted

# create or refresh .venv from the hash-locked requirements (only when they changed)
[group('setup')]
venv:
    @{{ if ready == wanted { "exit 0" } else { system_python + " tools/bootstrap.py" } }}

# re-lock requirements*.txt from requirements*.in (uv pip compile with hashes)
[group('setup')]
lock: venv
    {{python}} -m uv pip compile -q --universal --generate-hashes --python-version 3.11 requirements-dev.in -o requirements-dev.txt
    {{python}} -m uv pip compile -q --universal --generate-hashes --python-version 3.11 requirements.in -c requirements-dev.txt -o requirements.txt

# refresh the committed Pyodide lock after a marimo upgrade (needs npm)
[group('setup')]
pyodide-lock: venv
    @{{doit}} pyodide_lock

# export the demos to WebAssembly into build/demos/ (only what changed), check sizes, write the manifest
[group('build')]
export *demos: venv
    @{{doit}} {{ if demos == "" { "export size manifest" } else { "export:" + replace(demos, " ", " export:") } }}

# derive the compact weather assets the demos bundle (build/assets/weather)
[group('build')]
assets: venv
    @{{doit}} assets

# fetch the catalog's weather files into build/weather (sha256-verified; lists any it cannot get)
[group('data')]
weather: venv
    @{{doit}} weather

# upload data/examples, the fetched weather and the demo assets to a stage's data bucket (only what changed)
[group('data')]
upload-data stage: venv
    @{{doit}} upload_data --stage {{stage}}

# ruff, marimo check --strict (all notebooks) and the WASM rules (demos)
[group('check')]
lint: venv
    @{{doit}} lint

# run every test (exports the demos first)
[group('check')]
test *pytest_args: venv
    @{{doit}} export size manifest
    {{python}} -m pytest {{pytest_args}}

# run the benchmarks (medians and ratios against the reference implementations)
[group('check')]
bench: venv
    {{python}} bench/epw_read.py

# open a notebook in marimo's editor, e.g. `just edit climate_dashboard`
[group('develop')]
edit name: venv assets
    {{python}} tools/notebook.py edit {{name}}

# list the doit tasks and what they do
[group('develop')]
tasks: venv
    @{{doit}} list --all

# remove build/ and the doit state (.venv stays; `rm -r .venv` to rebuild it)
[group('develop')]
clean: venv
    @{{doit}} clean --clean-dep --all
    {{python}} -c "import shutil; shutil.rmtree('build', ignore_errors=True)"
    {{python}} -c "import pathlib; [p.unlink() for p in pathlib.Path('.').glob('.doit.db*')]"
