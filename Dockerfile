# syntax=docker/dockerfile:1
# Creatorly production image: multi-stage, non-root, frontend built at image build time.
#   docker build -t creatorly .
#   docker run -p 3000:3000 -e CREATORLY_SECRET_KEY=… -e CREATORLY_PUBLIC_URL=https://… -e CREATORLY_DATABASE_URL=… creatorly
# Run the worker from the same image as its own process:  docker run … creatorly creatorly worker

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY pyproject.toml README.md ./
COPY creatorly ./creatorly
COPY rxconfig.py alembic.ini ./
COPY alembic ./alembic
COPY assets ./assets
# Editable, so `creatorly` runs from /app beside rxconfig.py, alembic/ and assets/ (copied as-is below).
RUN pip install -e .
# Compile the app and build the frontend now (npm packages, Vite bundle), so the container start
# only re-runs a warm build with its own public URL.
RUN CREATORLY_DATA_DIR=/tmp/build-data reflex export --frontend-only --no-zip --env prod \
    && rm -rf /tmp/build-data

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false \
    PYTHONUNBUFFERED=1 \
    CREATORLY_ENV=production \
    CREATORLY_DATA_DIR=/data \
    CREATORLY_LOG_FORMAT=json \
    CREATORLY_PORT=3000
# pg_dump and pg_restore for `creatorly backup` / `creatorly restore` on PostgreSQL (Debian bookworm ships 15:
# pg_dump must be at least the server's major version).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system creatorly && useradd --system --gid creatorly --home-dir /app creatorly \
    && mkdir -p /data && chown creatorly:creatorly /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=creatorly:creatorly /app /app
WORKDIR /app
USER creatorly
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/health', timeout=4).status != 200)"]
# `creatorly start` applies migrations, then exec()s `reflex run --env prod --single-port`,
# so SIGTERM from the container runtime reaches Reflex itself: granian stops accepting, finishes the requests
# in flight (webhooks included) and exits. Give it time: `docker stop -t 30`, compose `stop_grace_period: 30s`,
# Kubernetes `terminationGracePeriodSeconds: 30`. The worker (`creatorly worker`, same image) finishes its
# running jobs on SIGTERM and marks its heartbeat stopped.
STOPSIGNAL SIGTERM
CMD ["creatorly", "start"]
