# The chat's image (docs/deployment.md "Container"): uvicorn through scripts/serve.sh, static
# files collected at build under hashed names and served by WhiteNoise, a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=0 \
    HOST=0.0.0.0 \
    PORT=8000 \
    STATIC_ROOT=/app/staticfiles \
    PYTHON_BIN=python \
    COLLECTSTATIC=0

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# The translations' .mo files and the hashed, compressed static files, in the image; the
# build needs a key to load the settings, not the one the container runs with.
RUN python scripts/compile_messages.py \
 && SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --system --uid 10001 --home-dir /app livechat

USER livechat
EXPOSE 8000
# serve.sh migrates and starts uvicorn (the static files are in the image: COLLECTSTATIC=0).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["scripts/serve.sh"]
