#!/bin/sh
# Serve the app under gunicorn (gunicorn.conf.py) with the background-task worker beside it;
# Ctrl+C stops both. BIND picks the address (default 127.0.0.1:8000).
VENV=${VENV:-.venv}
"$VENV/bin/python" manage.py worker --interval 2 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null' EXIT INT TERM
"$VENV/bin/gunicorn" collab_survey.wsgi --bind "${BIND:-127.0.0.1:8000}" \
  --no-control-socket --access-logfile -
