"""The one settings module. Everything that varies between the demo, CI and production is read
from the environment (see ``docs/operations.md`` for the list); bad values fail at start-up."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    demo_secret_key,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MUTUELLE_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

# "demo" runs with nothing installed (SQLite, eager tasks, file outbox); "production" insists on
# every secret and host being given.
MUTUELLE_ENV = env_choice("MUTUELLE_ENV", "demo", {"demo", "production"})
PRODUCTION = MUTUELLE_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG ne peut pas être activé avec MUTUELLE_ENV=production.")

_secret = env_str("SECRET_KEY", required=PRODUCTION)
SECRET_KEY = _secret if _secret else demo_secret_key(VAR_DIR)
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY doit faire au moins 50 caractères.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire avec MUTUELLE_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mutuelle.core",
    "mutuelle.accounts",
    "mutuelle.referentiel",
    "mutuelle.formules",
    "mutuelle.brokers",
    "mutuelle.members",
    "mutuelle.claims",
    "mutuelle.notifications",
    "mutuelle.espace",
    "mutuelle.documents",
    "mutuelle.requests",
    "mutuelle.messaging",
    "mutuelle.backoffice",
    "mutuelle.espace_courtier",
    "mutuelle.payments",
    "mutuelle.demo",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (mutuelle.core.journalisation).
    "mutuelle.core.journalisation.RequeteIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # French unless the visitor chose English in the footer (not the browser's Accept-Language).
    "mutuelle.core.middleware.LangueMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body (the CSRF check, run once every middleware has seen the
    # request, reads the form): a body larger than the sender may send is refused unread.
    "mutuelle.core.middleware.TailleRequeteMiddleware",
    "mutuelle.core.middleware.CaracteresNulsMiddleware",
    # Sees the answer of every page below it: a 403 or 404 on an object is written to the audit.
    "mutuelle.core.middleware.AccesRefusesMiddleware",
    "mutuelle.accounts.middleware.SessionExpiryMiddleware",
    # Before the back office's check: a broker's session gets 404 there, not 403.
    "mutuelle.espace_courtier.middleware.EspaceCourtierMiddleware",
    "mutuelle.backoffice.middleware.EcransGestionMiddleware",
    # Last: turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files with hashed names, compressed, cached a year, served by the web processes
    # themselves; before anything that reads the session. (The demo's runserver serves the sources.)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mutuelle" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "mutuelle.core.context_processors.mutuelle",
                "mutuelle.notifications.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -----------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'mutuelle.sqlite3'}"
_database_url = env_str("DATABASE_URL", default=None if PRODUCTION else _default_db, required=PRODUCTION)
try:
    _db = dj_database_url.parse(_database_url or _default_db, conn_max_age=60)
except ValueError as exc:  # dj-database-url raises on unknown schemes
    raise ImproperlyConfigured(f"DATABASE_URL n'est pas une URL de base reconnue : {exc}") from exc
if _db["ENGINE"] not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    raise ImproperlyConfigured("DATABASE_URL doit désigner SQLite ou PostgreSQL.")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(str(_db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    # Every transaction takes the write lock at its start and waits up to 20 s for it: concurrent
    # requests queue instead of failing with « database is locked » when a reader tries to write
    # (accounts.verrouillage.essai relies on it to count login attempts one at a time; a double click
    # on « Lancer le paiement » makes one run: tests/browser/test_double_clic.py). In WAL mode, pages
    # being read do not wait for a write, nor a write for them.
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Authentication: the lockout guard first (django-axes), then members by member number or NIR,
# then staff and brokers by username (the admin's login).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "mutuelle.accounts.backends.IdentifiantBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# CNIL 2022: at least 12 characters of any kind, no composition rules, not a common password, not
# close to the member's own data; long passphrases welcome.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "mutuelle.accounts.validators.DonneesPersonnellesValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "mutuelle.accounts.validators.LongueurMaximaleValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "mutuelle.accounts.validators.MotsDePasseCourantsValidator"},
]
LOGIN_URL = "accounts:connexion"
LOGIN_REDIRECT_URL = "core:accueil"  # members go on to their space (core.views.accueil)
# Links in emails are built from this address, never from the request's Host header.
# By name, not by IP address: passkeys (WebAuthn) refuse an IP as their relying party.
MUTUELLE_BASE_URL = (env_str("MUTUELLE_BASE_URL", None if PRODUCTION else "http://localhost:8000") or "").rstrip("/")
if PRODUCTION and not MUTUELLE_BASE_URL:
    raise ImproperlyConfigured("MUTUELLE_BASE_URL est obligatoire avec MUTUELLE_ENV=production (https://…).")
# Single-use links (activation, new secret) live this long.
MUTUELLE_LIEN_SECONDES = env_int("MUTUELLE_LIEN_SECONDES", 3600, minimum=60)
# Sessions: idle and absolute timeouts (members' idle timeout is the mutuelle's setting).
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=300)
MUTUELLE_SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 15 * 60, minimum=60)
MUTUELLE_SESSION_IDLE_STAFF_SECONDS = env_int("SESSION_IDLE_STAFF_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout (django-axes): one counter per account, whatever the identifier's spelling or the IP;
# the threshold and duration are the mutuelle's settings; failures during a lockout do not extend it.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "mutuelle.accounts.verrouillage.cle_compte"
AXES_FAILURE_LIMIT = "mutuelle.accounts.verrouillage.seuil"
AXES_COOLOFF_TIME = "mutuelle.accounts.verrouillage.duree"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mutuelle.accounts.views.reponse_verrouillage"
AXES_USERNAME_FORM_FIELD = "identifiant"
AXES_PASSWORD_FORM_FIELD = "secret"  # noqa: S105 (a form field name, not a password)
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "identifiant",
    "password",
    "secret",
    "ip_address",
    "date_naissance",
    "nir_fin",
    "code_postal",
    "csrfmiddlewaretoken",
]
AXES_DISABLE_ACCESS_LOG = True  # the audit log records every authentication event
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# The lockout is per account on purpose (the same account locks whatever the IP), so axes' warning
# that IP rotation is not counted does not apply; see docs/security.md.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# SQLite has no covering indexes: the reimbursement lines' history index is a plain one there, as
# intended (models.W040 says so on every command of the embedded demo).
if _db["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS.append("models.W040")
# Per-IP throttling of the login, first-connection, recovery and second-step forms (django-ratelimit,
# counted in the cache): "N/period" POSTs per IP address, whatever the account; credential stuffing
# across many accounts stops here, while the per-account lockout above stops guessing one account.
# Failed checks per address (a shared company or carrier address mostly succeeds, and successes do
# not count); recovery requests per address (they never fail). See docs/security.md.
MUTUELLE_LIMITE_IP = env_str("MUTUELLE_LIMITE_IP", "60/10m") or "60/10m"
MUTUELLE_LIMITE_IP_OUBLI = env_str("MUTUELLE_LIMITE_IP_OUBLI", "30/10m") or "30/10m"
# The public document verification page (per IP) and document generation (per member).
MUTUELLE_LIMITE_VERIFICATION = env_str("MUTUELLE_LIMITE_VERIFICATION", "30/10m") or "30/10m"
# Files members send (requests): size per file, files per sending, and the antivirus (clamd: a Unix
# socket path or host:port; empty: no scan, which production refuses).
MUTUELLE_PIECE_TAILLE_MAX = env_int("MUTUELLE_PIECE_TAILLE_MAX", 10 * 1024 * 1024, minimum=1024)
MUTUELLE_PIECES_MAX = env_int("MUTUELLE_PIECES_MAX", 5, minimum=1)
# Request bodies: a visitor's (login, recovery, verification forms) at most this many bytes; members
# may send the files of one sending, staff a NOEMIE file (core.middleware.TailleRequeteMiddleware).
# The form fields of a body, files aside, are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE.
MUTUELLE_REQUETE_ANONYME_MAX = env_int("MUTUELLE_REQUETE_ANONYME_MAX", 64 * 1024, minimum=4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
MUTUELLE_CLAMD = env_str("MUTUELLE_CLAMD", None) or ""
if PRODUCTION and not MUTUELLE_CLAMD:
    raise ImproperlyConfigured(
        "MUTUELLE_CLAMD (socket ou hôte:port de clamd) est obligatoire avec MUTUELLE_ENV=production."
    )
MUTUELLE_LIMITE_DOCUMENTS = env_str("MUTUELLE_LIMITE_DOCUMENTS", "40/10m") or "40/10m"
# The cache holds those counters: Redis in production (shared by every process), memory in the demo.
CACHE_URL = env_str("CACHE_URL", None)
if PRODUCTION and not CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL (redis://…) est obligatoire avec MUTUELLE_ENV=production.")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mutuelle"}
}
# Passkeys (WebAuthn): the relying party is the host of MUTUELLE_BASE_URL unless set here.
MUTUELLE_WEBAUTHN_RP_ID = env_str("MUTUELLE_WEBAUTHN_RP_ID", None) or ""
OTP_TOTP_ISSUER = "Mutuelle"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")) or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "mutuelle" / "static"]
# Production serves what `collectstatic` wrote, each name with its content's hash (a new version is
# a new URL, so browsers may keep a file forever); the demo and the tests serve the sources as they are.
# Uploaded files and issued PDFs: the local disk (MEDIA_ROOT, a volume every web and worker process
# mounts) or an object store through the S3 API (MUTUELLE_STOCKAGE=s3: private bucket, nothing
# overwritten, files only ever read back by the application, which checks who asks). Working files
# (NOEMIE lots being integrated, payment files) stay under MEDIA_ROOT either way.
MUTUELLE_STOCKAGE = env_choice("MUTUELLE_STOCKAGE", "disque", {"disque", "s3"})
_stockage: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MUTUELLE_STOCKAGE == "s3":
    _stockage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", required=True),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION", "eu-west-3"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "location": env_str("S3_PREFIX", "") or "",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _stockage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
MEDIA_URL = "media/"  # never served publicly: files are streamed by views that check access

# --- Email --------------------------------------------------------------------------------------
_email = env_choice("EMAIL_BACKEND", "smtp" if PRODUCTION else "file", {"file", "smtp", "console"})
EMAIL_BACKEND = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}[_email]
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ne-pas-repondre@mutuelle.example")

# --- Background work ----------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# No broker given: tasks run inline, in the caller's process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# Installations sharing one broker keep apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "mutuelle") or "mutuelle"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that dies unacknowledged goes back to the queue after this long (Redis'
# default is an hour). Every task is idempotent, so one still running when it is redelivered does
# no harm: a NOEMIE partition held by a worker is left to it by the second.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=60)}
# A NOEMIE file with no lot integrated for this long is resumed by beat (claims.noemie_reprendre_interrompus).
MUTUELLE_NOEMIE_REPRISE_SECONDES = env_int("MUTUELLE_NOEMIE_REPRISE_SECONDES", 120, minimum=30)
CELERY_BEAT_SCHEDULE = {
    # Members who chose a monthly summary get it on the first day of the month, at 7 a.m.
    "resume-mensuel": {"task": "notifications.resume_mensuel", "schedule": crontab(minute=0, hour=7, day_of_month=1)},
    # Paper relevés of the previous month, for members who chose them, on the 2nd at 6 a.m.
    "releves-papier": {
        "task": "documents.releves_papier_mensuels",
        "schedule": crontab(minute=0, hour=6, day_of_month=2),
    },
    # Personal-data archives are deleted when their 7 days are over.
    "exports-expirer": {"task": "espace.exports_expirer", "schedule": crontab(minute=15, hour=3)},
    # The payment run: validated reimbursements to SEPA transfers, at 6:30 on working days.
    "paiements-quotidiens": {
        "task": "payments.paiements_quotidiens",
        "schedule": crontab(minute=30, hour=6, day_of_week="mon-fri"),
    },
    # NOEMIE files whose integration stopped (a worker killed) are resumed, every two minutes.
    "noemie-reprise": {"task": "claims.noemie_reprendre_interrompus", "schedule": 120},
    # The watched NOEMIE inbox (MUTUELLE_NOEMIE_INBOX), every five minutes.
    "noemie-inbox": {"task": "claims.noemie_inbox_scan", "schedule": env_int("NOEMIE_INBOX_SECONDS", 300, minimum=10)},
}

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): no inline script anywhere, no <style> element, nothing from
# another origin; style attributes are allowed (Django's admin uses a few), nothing can frame us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The probes of a load balancer may come over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging: no secrets, no NIR (see docs/security.md) ----------------------------------------
# One JSON object per line in production (LOG_FORMAT=json), each with the request's id; plain text in
# the demo. Requests are logged once each by mutuelle.core.journalisation.
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "texte", {"json", "texte"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"requete_id": {"()": "mutuelle.core.journalisation.RequeteIdFiltre"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "texte": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["requete_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Libraries that narrate every step at INFO: their warnings are enough. Each request's line is
    # for production's logs; the demo's console has runserver's own.
    "loggers": {
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes")},
        "mutuelle.requetes": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}

# --- The product's own switches -----------------------------------------------------------------
# The staff-only page listing the file outbox: only in DEBUG with the file backend.
MUTUELLE_OUTBOX_PAGE = DEBUG and _email == "file"
# Where the caisses' NOEMIE files are dropped (a periodic task integrates them).
MUTUELLE_NOEMIE_INBOX = Path(env_str("MUTUELLE_NOEMIE_INBOX", str(VAR_DIR / "noemie" / "inbox")) or VAR_DIR)
# Largest NOEMIE file accepted by the upload form (bytes).
MUTUELLE_NOEMIE_UPLOAD_MAX = env_int("MUTUELLE_NOEMIE_UPLOAD_MAX", 200 * 1024 * 1024, minimum=1024)
# A file's décomptes are spread over this many partitions (one Celery task each, run in parallel)
# and cut into lots of about this many acts (one transaction each: the unit of resumption).
MUTUELLE_NOEMIE_PARTITIONS = env_int("MUTUELLE_NOEMIE_PARTITIONS", 4, minimum=1)
MUTUELLE_NOEMIE_LOT_ACTES = env_int("MUTUELLE_NOEMIE_LOT_ACTES", 5000, minimum=1)
# Where the reference nomenclature ships inside the project.
MUTUELLE_REFERENCE_DIR = BASE_DIR / "regles" / "data"
