# The web, worker and beat image. Build: docker build -t mockexam .
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are collected at build time; a throwaway key is enough for collectstatic.
RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app mockexam \
    && chown -R mockexam /app

USER mockexam
EXPOSE 8000

# Workers, threads and recycling: gunicorn.conf.py (reasoning in docs/performance.md).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi", "--access-logfile", "-"]
