# Production image: the app under gunicorn, static files served by whitenoise.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/scss static/scss
COPY frontend frontend
RUN npm run --silent build:plotly
RUN mkdir -p static/vendor/govuk-frontend \
 && cp -r node_modules/govuk-frontend/dist/govuk/assets node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/vendor/govuk-frontend/ \
 && rm -rf static/vendor/govuk-frontend/assets/fonts \
 && npx sass --pkg-importer=node --style=compressed --no-source-map --quiet static/scss/app.scss static/vendor/govuk-frontend/app.css

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BROWSER_PATH=/usr/bin/chromium
# Pango for weasyprint's PDFs; Chromium for kaleido's chart images in them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium gettext libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY collab_survey collab_survey
COPY surveys surveys
COPY reports reports
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /build/static/vendor static/vendor
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
 && DJANGO_SECRET_KEY=build-only python manage.py compilemessages -v0
RUN useradd --system --uid 1000 app && mkdir -p .cache/reports && chown -R app .cache
USER app
EXPOSE 8000
# Threaded workers (gunicorn.conf.py): GUNICORN_WORKERS and GUNICORN_THREADS size them.
CMD ["gunicorn", "collab_survey.wsgi", "--bind", "0.0.0.0:8000", "--no-control-socket", "--access-logfile", "-"]
