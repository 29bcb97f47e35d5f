# statuspage: the server and the CLI in one image.
#   docker build -t statuspage .
#   docker run -d -p 127.0.0.1:8000:8000 -v statuspage-data:/data \
#     -e STATUSPAGE_PUBLIC_URL=https://status.example.com --env-file secrets.env statuspage
# Secrets come from the environment (--env-file, the orchestrator's secrets), never the image.

# Stage 1: the wheel, built from the sources (templates, static files, plans ship inside it).
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY statuspage ./statuspage
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Stage 2: the wheel installed on a clean slim image, run by an unprivileged user.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATUSPAGE_DB=/data/statuspage.db
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin statuspage \
    && mkdir /data && chown statuspage:statuspage /data
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER statuspage
WORKDIR /data
# The database (and its -wal/-shm files) lives here; keep it on a volume.
VOLUME /data
EXPOSE 8000
# Slim images have no curl: Python's urllib fails (exit 1) on anything but a 2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v2/status.json', timeout=4)"]
# init creates or migrates the database (harmless on every start); exec hands PID 1 to the server.
CMD ["sh", "-c", "statuspage init && exec statuspage serve --host 0.0.0.0 --port 8000"]
