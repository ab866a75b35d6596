"""gunicorn's settings for the web processes (``make prod``, docs/operations.md).

Workers are sized from the cores (2 × cores + 1, gthread workers of 2 threads each) unless
``WEB_CONCURRENCY`` says otherwise. Each worker is restarted after ``max_requests`` requests (a
little jitter, so they do not all restart together): a slow leak cannot grow without bound.
"""

import multiprocessing
import os

bind = os.environ.get("MUTUELLE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# TLS when a certificate is given (make prod makes a self-signed one; behind a proxy, leave them out).
certfile = os.environ.get("MUTUELLE_TLS_CERT") or None
keyfile = os.environ.get("MUTUELLE_TLS_KEY") or None
# Requests are logged by Django, as JSON with their request id (mutuelle.core.journalisation): no
# second access log here. gunicorn's own messages go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
