"""Settings shared by every environment. Values that differ come from the environment.

Environment variables (all optional here; production.py makes some mandatory):
DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, REDIS_URL,
TASKS_BACKEND (db|celery|immediate),
GRIDGOV_VAR_DIR, SESSION_IDLE_MINUTES, LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES.
"""

from datetime import timedelta
from pathlib import Path

import environ

SRC_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SRC_DIR.parent.parent

env = environ.Env()
VAR_DIR = Path(env("GRIDGOV_VAR_DIR", default=str(REPO_DIR / "var")))

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server write without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Our queries are short and indexed: JIT compilation costs more (~40 ms) than it saves.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "auditlog",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_tasks_fennel",
    "gridgov.core",
    "gridgov.accounts",
    "gridgov.areas",
    "gridgov.registry",
    "gridgov.notifications",
    "gridgov.events",
    "gridgov.disputes",
    "gridgov.petitions",
    "gridgov.special",
    "gridgov.metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.core.middleware.SessionIdleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.core.context_processors.navigation",
                "gridgov.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

# --- Authentication and sessions -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "gridgov.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: every request renews the session; a browser left alone is logged out.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_MINUTES", default=30)) * 60
# Refreshed while in use, at most once a minute (core.middleware.SessionIdleMiddleware), not
# saved on every request: the idle timeout holds to within SESSION_REFRESH_SECONDS.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# Lockout (django-axes): after LOGIN_FAILURE_LIMIT failures for one user from one address, that
# pair is locked for LOGIN_LOCKOUT_MINUTES. Per user+address so nobody can lock out a colleague
# from elsewhere by guessing their password.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", default=5))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", default=15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Security headers ------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Swagger UI sets inline styles; no inline script is allowed anywhere.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Office hours (local "HH:MM" periods) for 工作时/工作日 deadlines, see gridgov.core.workcalendar.
GRIDGOV_OFFICE_HOURS = (("09:00", "12:00"), ("13:30", "17:30"))

# --- Static files: installed from npm at setup and served by the app itself (air-gapped) -----
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
# Uploaded and generated files (imports, exports, reports). Never served directly: the job pages
# hand them out to their owner only.
MEDIA_ROOT = VAR_DIR / "media"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "gridgov.core.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridgov.core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gridgov API",
    "DESCRIPTION": "综治网格服务管理平台接口。所有数据按调用者的辖区过滤。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "AreaStatusEnum": "gridgov.areas.choices.Status",
        "RecordStatusEnum": "gridgov.registry.models.Status",
        "PersonStatusEnum": "gridgov.registry.codes.PersonStatus",
    },
}

# --- Background jobs: one interface (django_tasks), two engines ------------------------------
# db: a queue table in the same database, worked by `gridgov worker` (no extra service).
# celery: the same jobs as Celery messages on Redis, for scale-out.
TASKS_BACKEND = env("TASKS_BACKEND", default="db")
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "celery": "django_tasks_fennel.CeleryBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# --- Audit (django-auditlog) -----------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False  # models register themselves in their apps.py
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_CID_HEADER = "X-Request-ID"
# Scoped models refuse unscoped default-manager queries; auditlog reads the old row to diff.
AUDITLOG_USE_BASE_MANAGER = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"gridgov.scoping": {"level": "INFO"}},
}

# --- Periodic jobs (gridgov.core.tasks; added with `gridgov worker`) --------------------------
# The db worker enqueues the sweeps at start and then every SWEEP_INTERVAL_MINUTES; on Celery,
# beat (`gridgov worker` runs it embedded, -B) sends them on the same schedule.
# Event deadlines are counted in working hours, so the sweeps run often (they are cheap).
SWEEP_INTERVAL_MINUTES = env.int("SWEEP_INTERVAL_MINUTES", default=5)
# Django tasks are enqueued on the "default" queue; Celery's own default is "celery".
CELERY_TASK_DEFAULT_QUEUE = "default"
# Importing the job modules registers their tasks with Celery (django_tasks_fennel names them
# "django_tasks:<module path>").
CELERY_IMPORTS = ["gridgov.core.tasks", "gridgov.events.tasks"]
CELERY_IMPORTS += ["gridgov.disputes.tasks"]
CELERY_IMPORTS += ["gridgov.special.tasks"]
CELERY_IMPORTS += ["gridgov.petitions.tasks"]
# Keep task name, args and worker in the result backend, for django_tasks' get_result().
CELERY_RESULT_EXTENDED = True
CELERY_BEAT_SCHEDULE = {
    "sweep-event-deadlines": {
        "task": "django_tasks:gridgov.events.tasks.sweep_event_deadlines",
        "schedule": SWEEP_INTERVAL_MINUTES * 60,
    },
    "end-expired-grants": {
        "task": "django_tasks:gridgov.core.tasks.end_expired_grants",
        "schedule": SWEEP_INTERVAL_MINUTES * 60,
    },
    # Villages whose screening report is missing are warned once per period (disputes/tasks.py).
    "check-screening-reports": {
        "task": "django_tasks:gridgov.disputes.tasks.check_screening_reports",
        "schedule": 60 * 60,
    },
    # Answered petitions whose window for 复查/复核 has passed are closed (petitions/tasks.py).
    "close-lapsed-petitions": {
        "task": "django_tasks:gridgov.petitions.tasks.close_lapsed_petitions",
        "schedule": 60 * 60,
    },
    "sweep-special-visits": {
        "task": "django_tasks:gridgov.special.tasks.sweep_special_visits",
        "schedule": SWEEP_INTERVAL_MINUTES * 60,
    },
}
# --- end of periodic jobs ----------------------------------------------------------------------

# Masked audit fields (passwords) show that they changed, never any part of the value.
AUDITLOG_MASK_CALLABLE = "gridgov.core.audit.mask_fully"

# --- Field encryption and look-up hashes (gridgov.core.crypto) -------------------------------
# Comma-separated, current key first; older keys after it still decrypt / still match during a
# rotation. GRIDGOV_FIELD_KEYS are Fernet keys, GRIDGOV_HASH_KEYS HMAC keys of 32+ characters.
# How to make them: see the docstring of gridgov/core/crypto.py. Production must set both.
GRIDGOV_FIELD_KEYS = env.list("GRIDGOV_FIELD_KEYS", default=[])
GRIDGOV_HASH_KEYS = env.list("GRIDGOV_HASH_KEYS", default=[])
# --- end of field encryption -------------------------------------------------------------------

# Where notifications go besides the inbox: channel classes by dotted path (see notifications/).
GRIDGOV_NOTIFICATION_CHANNELS = ["gridgov.notifications.channels.LogChannel"]

# --- Event hub -------------------------------------------------------------------------------
# Likely duplicates are looked for among events reported within this many days.
GRIDGOV_EVENT_DUPLICATE_DAYS = env.int("GRIDGOV_EVENT_DUPLICATE_DAYS", default=7)
# A rating of 不满意 sends a dispatched case back to its handler (重办).
GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED = env.bool(
    "GRIDGOV_EVENT_REOPEN_ON_DISSATISFIED", default=True
)
# The center may reopen a closed case within this many days.
GRIDGOV_EVENT_REOPEN_DAYS = env.int("GRIDGOV_EVENT_REOPEN_DAYS", default=30)
# Overdue this long: automatic 督办, and the center above and the leaders are told.
GRIDGOV_EVENT_ESCALATE_AFTER_HOURS = env.int("GRIDGOV_EVENT_ESCALATE_AFTER_HOURS", default=24)

# --- Petitions (信访) ---------------------------------------------------------------------------
# Time limits of the 信访工作条例 as (value, unit): "natural_days" or "work_days" by province;
# thresholds for 集体访, 重复访, 越级访 and key petitioners. Defaults and keys: petitions/config.py.
GRIDGOV_PETITIONS: dict = {}
# Special populations: a status whose visit is overdue this many days more is 脱管/失控.
GRIDGOV_SPECIAL_LOST_AFTER_DAYS = env.int("GRIDGOV_SPECIAL_LOST_AFTER_DAYS", default=7)
# Map tiles: a URL template of the network's own tile server, or empty for boundaries only.
GRIDGOV_MAP_TILE_URL = env("GRIDGOV_MAP_TILE_URL", default="")
GRIDGOV_MAP_TILE_ATTRIBUTION = env("GRIDGOV_MAP_TILE_ATTRIBUTION", default="")
# A tile server on another host may serve the maps' images (CSP img-src); "{s}" subdomains → "*".
if GRIDGOV_MAP_TILE_URL.startswith(("http://", "https://")):
    _scheme, _, _host = GRIDGOV_MAP_TILE_URL.split("/", 3)[:3]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"{_scheme}//{_host.replace('{s}', '*')}"
    )
