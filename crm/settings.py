"""Settings, all read from the environment through one ``env`` object.

Embedded defaults run the whole product on one machine (SQLite and a filesystem broker
under ``var/``); ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
Every setting carries a one-line reason.
"""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # every file the product writes at run time lives here, never in the code tree

env = environ.Env()

# --- Mode -----------------------------------------------------------------------------
DJANGO_ENV = env.str("DJANGO_ENV", default="development")  # "production" turns on every safety check
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # Production must not fall back to a known key or to "any host".
    if not env.str("DJANGO_SECRET_KEY", default=""):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")
    if not env.list("DJANGO_ALLOWED_HOSTS", default=[]):
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production")

SECRET_KEY = env.str(  # signs sessions and CSRF tokens; the default is for local use only
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
)
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)  # tracebacks only off production
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])  # Host header allow-list
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])  # needed behind an HTTPS proxy on another origin

# --- Applications ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    # Django REST framework, for its Chinese messages to other systems (身份认证信息未提供。…);
    # where its catalogue words one of Django's own form messages differently, locale/zh_Hans keeps
    # Django's wording on the staff pages (crm/tests/test_django_wording.py).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crm",
    "owners",
    "complaints",
    "property_liaison",
    "mortgage",
    "clubs",
    "api",
    "django_otp",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.middleware.SessionLimitsMiddleware",
    "crm.middleware.ScopeMemoMiddleware",  # each user's projects worked out once per request
    "crm.middleware.PortalSeparationMiddleware",  # owners only on /m/, staff never there
    "crm.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "crm.context_processors.navigation",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
DATABASES = {
    # SQLite under var/ by default; DATABASE_URL=postgres://… switches to PostgreSQL (psycopg 3).
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # a fresh clone has no var/ yet; SQLite cannot create the folder
    # WAL and a busy timeout let the web process and the Celery worker share one file; IMMEDIATE
    # transactions take the write lock up front, so two writers wait instead of failing as locked.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # drop connections the server closed
    # The search statement (crm.search_sql.fetch) is prepared once per connection and planned once
    # (6-8 ms a search at 100,000 cases). Django turns psycopg's prepared statements off unless
    # OPTIONS asks (for poolers that cannot keep them); only that statement's cursor binds on the
    # server, Django's own cursors bind on the client and never prepare. Behind a transaction-mode
    # pooler without prepared-statement support: DATABASE_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None)
# Reuse connections under gunicorn: no connect, no PRAGMAs, and SQLite's schema and page cache
# (PostgreSQL: its prepared search statement, crm.search_sql) kept between requests: 6-13 ms less
# on every SQLite page at 100,000 cases (bench/RESULTS.md, issue 19 third pass).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"  # 64-bit ids: registers grow for years

# --- Cache and broker --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")  # empty: local memory cache and the filesystem broker
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

BROKER_DIR = VAR_DIR / "broker"  # kombu filesystem transport: messages as files, no server needed
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL  # Redis for a company that runs several workers
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # redeliver tasks of a crashed worker after an hour
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # broadcast messages, kept out of the code tree
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)  # True runs tasks in-process, without a worker
CELERY_RESULT_BACKEND = None  # state lives in our own tables (notifications, export jobs), not in results
CELERY_TASK_IGNORE_RESULT = True  # nothing reads task results
CELERY_TASK_TIME_LIMIT = 30 * 60  # a stuck task is killed after 30 minutes
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60  # …and warned 5 minutes before
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker runs again; every task is idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long exports do not hold short jobs back
CELERY_TIMEZONE = "Asia/Shanghai"  # beat's crontab hours are the office's hours
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")  # beat's last-run state
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker waits for Redis instead of dying

# Every periodic job: (task name, schedule). The same jobs run once by `manage.py runjob NAME`.
CELERY_BEAT_SCHEDULE = {
    "crm.deliver_pending_notifications": {"task": "crm.deliver_pending_notifications", "schedule": 60.0},
    "crm.purge_old_exports": {"task": "crm.purge_old_exports", "schedule": crontab(hour=3, minute=10)},
    "crm.purge_old_notifications": {"task": "crm.purge_old_notifications", "schedule": crontab(hour=3, minute=20)},
    "api.purge_old_idempotency_keys": {"task": "api.purge_old_idempotency_keys", "schedule": crontab(hour=3, minute=30)},
    "mortgage.evaluate_litigation": {"task": "mortgage.evaluate_litigation", "schedule": crontab(hour=7, minute=0)},
    "mortgage.chase_late_certificates": {"task": "mortgage.chase_late_certificates", "schedule": crontab(hour=8, minute=30)},
    "complaints.sla_scan": {"task": "complaints.sla_scan", "schedule": 60.0},
    "complaints.auto_major": {"task": "complaints.auto_major", "schedule": crontab(minute="*/15")},
    "complaints.return_visit_reminders": {"task": "complaints.return_visit_reminders",
                                          "schedule": crontab(hour="9,14", minute=0)},
    "complaints.daily_report": {"task": "complaints.daily_report", "schedule": crontab(hour=7, minute=30)},
    "complaints.weekly_report": {"task": "complaints.weekly_report",
                                 "schedule": crontab(hour=7, minute=45, day_of_week=1)},
    "crm.backup_database": {"task": "crm.backup_database", "schedule": crontab(hour=2, minute=30)},
    "crm.archive_closed": {"task": "crm.archive_closed", "schedule": crontab(hour=2, minute=50)},
    "crm.calendar_year_warning": {"task": "crm.calendar_year_warning", "schedule": crontab(hour=8, minute=0)},
    "property_liaison.coordination_cadence": {"task": "property_liaison.coordination_cadence", "schedule": crontab(hour=8, minute=5)},
    "property_liaison.overdue_rectifications": {"task": "property_liaison.overdue_rectifications", "schedule": crontab(hour=8, minute=15)},
    "property_liaison.committee_reminders": {"task": "property_liaison.committee_reminders", "schedule": crontab(hour=8, minute=25)},
    "complaints.closeout_hand_over": {"task": "complaints.closeout_hand_over", "schedule": crontab(hour=0, minute=20)},
    "api.deliver_due_webhooks": {"task": "api.deliver_due_webhooks", "schedule": 60.0},
}

# --- Authentication and sessions ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failed logins before Django checks the password
    "crm.backends.CrmBackend",  # ModelBackend: user, profile and unread count in one query; cached permissions
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"  # every page but the login page needs a user
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions are read from the shared cache when there is one (Redis) and written through to the
# database; local memory is per process, so without Redis they are read from the database.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if REDIS_URL
                  else "django.contrib.sessions.backends.db")
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)  # a session ends after one working day at most
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)  # …and after 30 idle minutes
SESSION_COOKIE_HTTPONLY = True  # scripts cannot read the session cookie
SESSION_COOKIE_SAMESITE = "Lax"  # no cross-site posts with the session

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)  # five wrong passwords lock the pair…
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))  # …for 15 minutes, never for good
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # lock a username from one address, not the whole office
AXES_RESET_ON_SUCCESS = True  # a correct login clears the count
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # a Chinese page that says when to try again
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)  # how many proxies stand before gunicorn

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"  # the office speaks Chinese first
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]  # i18n: data (each language in its own name); English on request
LOCALE_PATHS = [BASE_DIR / "locale"]  # our own catalogues (the English translation)
TIME_ZONE = "Asia/Shanghai"  # deadlines are office hours in China
USE_I18N = True
USE_TZ = True  # store UTC, show Beijing time

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic output, served by WhiteNoise under gunicorn
NODE_MODULES = BASE_DIR / "node_modules"  # third-party assets come from the npm registry at set-up, never a CDN
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("CRM_MEDIA_ROOT", default=str(VAR_DIR / "media"))  # scans and attachments; served only through views that check permissions
EXPORT_ROOT = VAR_DIR / "exports"  # finished Excel exports, purged after the rule crm.export_keep_days (a week)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # bigger uploads spool to disk
# Files that live only while a request or job runs (they hold personal data): under var/, never
# the system temp folder; removed when their request or job ends, purged daily if a process died.
SCRATCH_DIR = VAR_DIR / "tmp"
SCRATCH_KEEP_HOURS = 24
SCRATCH_DIR.mkdir(parents=True, exist_ok=True)  # uploads spool here: the folder must exist
FILE_UPLOAD_TEMP_DIR = str(SCRATCH_DIR)  # a large upload spooled to disk, deleted when the request ends
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a form post is never this big
UPLOAD_MAX_BYTES = env.int("CRM_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)  # one attachment or import file at most 10 MB
XLSX_MAX_EXPANDED_BYTES = env.int("CRM_XLSX_MAX_EXPANDED_BYTES", default=200 * 1024 * 1024)  # zip-bomb guard for .xlsx

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(  # console by default; smtp in production
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")  # the office mail relay
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # a relay that stops answering fails the notice, not the worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@localhost")  # sender of notifications

# --- Owner portal (/m/) and SMS -------------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="console")  # console (development), aliyun or tencent (crm/sms.py)
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")  # the cloud account's key (aliyun AccessKey / tencent SecretId)
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")  # …and its secret
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")  # the approved SMS signature (签名)
SMS_APP_ID = env.str("SMS_APP_ID", default="")  # tencent only: the SMS SDK app id
SMS_REGION = env.str("SMS_REGION", default="ap-guangzhou")  # tencent only: the API region
SMS_TEMPLATES = {  # our template key → the provider's approved template id (模板)
    "login_code": env.str("SMS_TEMPLATE_LOGIN_CODE", default="login_code"),
    "case_update": env.str("SMS_TEMPLATE_CASE_UPDATE", default="case_update"),
}
# The WeChat official account's template messages (crm/wechat.py): off unless switched on.
WECHAT_ENABLED = env.bool("WECHAT_ENABLED", default=False)  # owners may choose 微信 as a channel
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")  # tests point it at a local server
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")  # the official account's AppID
WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")  # …and its AppSecret
WECHAT_TEMPLATES = {  # our template key → the account's template id (模板消息)
    "case_update": env.str("WECHAT_TEMPLATE_CASE_UPDATE", default="case_update"),
}
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")  # e.g. https://crm.example.com: the WeChat message's link
PORTAL_HOTLINE = env.str("PORTAL_HOTLINE", default="400-800-8888")  # the customer hotline the portal names
PORTAL_PRIVACY_VERSION = env.str("PORTAL_PRIVACY_VERSION", default="2026-12")  # the privacy notice owners accept
# The development login page shows the code it sent (never in production).
PORTAL_SHOW_CODE = env.bool("PORTAL_SHOW_CODE", default=DEBUG) and not PRODUCTION

# --- Security ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True  # browsers trust our content types
X_FRAME_OPTIONS = "DENY"  # no page of ours inside a frame
SECURE_REFERRER_POLICY = "same-origin"  # no URLs with ids leak to other sites
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)  # HTTPS only
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # trust the TLS proxy's header
    SESSION_COOKIE_SECURE = True  # session cookie never over plain HTTP
    CSRF_COOKIE_SECURE = True  # CSRF cookie never over plain HTTP
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)  # browsers remember HTTPS for a year
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content Security Policy: only our own files run or style the page; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],  # ECharts exports and scans as data/blob URLs
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Backups -----------------------------------------------------------------------------
BACKUP_DIR = env.path("CRM_BACKUP_DIR", default=str(VAR_DIR / "backups"))  # dated database backups
BACKUP_KEEP = env.int("CRM_BACKUP_KEEP", default=14)  # how many daily backups are kept

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "crm.security": {"level": "INFO"},  # failed logins, denied permissions, sensitive reads
        "axes": {"level": "WARNING"},
    },
}

# --- API (api/, issue 17) ----------------------------------------------------------------
REST_FRAMEWORK = {
    # Other systems only: a bearer token of a SystemClient; a staff session reaches nothing.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.ClientThrottle"],  # each client's per-minute limit, in the cache
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],  # JSON only: no browsable forms
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StorableJSONParser"],  # no NUL nor lone surrogate gets in
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "客户事务部管理系统 API",  # i18n: data
    "DESCRIPTION": "Sales system and other systems: master data in by external ids, cases and records out, webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from static files: nothing is loaded from the internet
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for an ownership's kind, sent and read back (spectacular hashed it: "Kind71dEnum").
    # Here, not in the schema view's own settings (api.schema): `manage.py check` reads these.
    "ENUM_NAME_OVERRIDES": {"OwnershipKindEnum": "owners.models.Ownership.Kind"},
}
