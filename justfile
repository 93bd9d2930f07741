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

# export the demos to WebAssembly into build/demos/ (only what changed), check sizes, write the manifest (`just export NAME`: that demo, no manifest)
[group('build')]
export *demos: venv
    @{{doit}} {{ if demos == "" { "export size manifest" } else { "export:" + replace(demos, " ", " export:") + " size:" + replace(demos, " ", " size:") } }}

# derive the compact weather assets the demos bundle (build/assets/weather)
[group('build')]
assets: venv
    @{{doit}} assets

# fetch the catalog's weather files into build/weather (sha256-verified; lists any it cannot get)
[group('data')]
weather: venv
    @{{doit}} weather

# run the weather ETL (notebooks/analysis/data_pipeline.py) over the catalog into build/pipeline
[group('data')]
pipeline: venv
    @{{doit}} pipeline

# upload data/examples, the fetched weather and the demo assets to a stage's data bucket (only what changed)
[group('data')]
upload-data stage: venv
    @{{python}} -m tools.deploy credentials
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

# run the benchmarks (medians and ratios against the reference implementations; several minutes)
[group('check')]
bench: venv
    {{python}} bench/epw_read.py
    {{python}} bench/pv.py
    {{python}} bench/building.py
    {{python}} bench/dashboard.py
    {{python}} bench/analysis.py

# type-check deploy/sst.config.ts against the real SST platform types (npm only; no AWS needed)
[group('deploy')]
typecheck: venv
    @{{doit}} typecheck

# monthly AWS cost of each stage (deploy/stages.json); fails when production is over EUR 50
[group('deploy')]
cost: venv
    @{{doit}} -a cost

# deploy the dev stage (type check, cost guard and demos first; needs AWS credentials)
[group('deploy')]
deploy-dev: venv
    @{{python}} -m tools.deploy credentials
    @{{doit}} deploy --stage dev

# deploy production after you type its name (type check, cost guard and demos first)
[group('deploy')]
deploy-prod: venv
    @{{python}} -m tools.deploy credentials
    @{{python}} -m tools.deploy confirm production
    @{{doit}} deploy --stage production --yes

# what a deploy of STAGE would change (sst diff), e.g. `just diff production`
[group('deploy')]
diff stage: venv
    @{{python}} -m tools.deploy credentials
    @{{doit}} typecheck
    @{{python}} -m tools.deploy sst diff --stage {{stage}}

# the server's CloudWatch logs, e.g. `just logs` or `just logs dev --follow --since 30m`
[group('deploy')]
logs stage="production" *args: venv
    @{{python}} -m tools.deploy logs --stage {{stage}} {{args}}

# remove the dev stage from AWS (production is protected and cannot be removed this way)
[group('deploy')]
remove-dev: venv
    @{{python}} -m tools.deploy sst remove --stage dev

# copy the exported demos into the portfolio repository at PATH (apps/web/public/demos/, changed files only)
[group('deploy')]
portfolio path: venv
    @{{doit}} portfolio --path {{quote(path)}}

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
    {{python}} -c "import shutil; shutil.rmtree('build', ignore_errors=True)"
    {{python}} -c "import pathlib; [p.unlink() for p in pathlib.Path('.').glob('.doit.db*')]"

# the engineers' server on 127.0.0.1:7860 as the container runs it (MARIMO_PASSWORD from env or .env)
[group('server')]
serve *args: venv assets
    {{python}} -m climatevis.server --host 127.0.0.1 --port 7860 --env-file .env {{args}}

# start the local stack (server + MinIO + bucket) with docker compose; needs .env (see .env.example)
[group('server')]
up *args: venv
    {{python}} tools/container.py compose up --build --detach --wait {{args}}

# stop the local stack (`just down --volumes` also deletes MinIO's data)
[group('server')]
down *args: venv
    {{python}} tools/container.py compose down {{args}}

# build the server image climatevis-server:<sha256 of its inputs> (skipped when it exists)
[group('server')]
docker: venv
    @{{doit}} docker
