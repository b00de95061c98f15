# One image for web, worker and beat (docker-compose.yml).
FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /app
RUN useradd --create-home --uid 1000 observatory
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . && pip check
COPY . .
# The interface translations (Decision 28): compile the .po catalogues with GNU msgfmt, then drop it.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && for po in locale/*/LC_MESSAGES/django.po; do msgfmt --check -o "${po%.po}.mo" "$po"; done \
    && apt-get purge -y gettext && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
# collectstatic needs settings to import: dummy production values at build time only.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    EMAIL_HOST=build python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R observatory /app/var
USER observatory
EXPOSE 8000
CMD ["gunicorn", "observatory.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--access-logfile", "-"]
