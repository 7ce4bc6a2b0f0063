# One image for the API (`inscribe serve`), the projection worker (`inscribe projections run`) and the
# one-shot migration (`inscribe db upgrade`): docker-compose.yml builds it once and runs all three from it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY application application
COPY projections projections
COPY interface interface
# The code stays root's (read-only to the service); var/ (the embedded SQLite default and its generated
# secrets, when no INSCRIBE_DATABASE_URL is given) belongs to the unprivileged user the processes run as.
RUN pip install . \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin inscribe \
    && mkdir -m 700 var && chown inscribe:inscribe var
USER 10001:10001
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
# Liveness of the API: /health/live answers 200 while the process serves (readiness: /health/ready).
# The worker and the migration have no HTTP server: docker-compose.yml gives them their own check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/live', timeout=4)"]
CMD ["inscribe", "serve"]
