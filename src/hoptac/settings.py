"""One settings module, driven by environment variables.

Defaults run on a laptop (SQLite file, DEBUG off unless asked); production sets DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS and the e-mail variables. Nothing here exists only in production.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HOPTAC_DATA_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tasks_db",
    "hoptac.core",
    "hoptac.units",
    "hoptac.accounts",
    "hoptac.programme",
    "hoptac.registry",
    "hoptac.returns",
    "hoptac.imports",
    "hoptac.indicators",
    "hoptac.documents",
    "hoptac.scoring",
    "hoptac.support",
    "hoptac.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hoptac.urls"
WSGI_APPLICATION = "hoptac.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'hoptac.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the task worker and the web server share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query costed above jit_above_cost to machine code first: the indicator
    # engine's aggregates (a hundred conditional sums over the registry) paid 0.3–0.5 s of compilation
    # for 0.2–0.4 s of execution. The site runs short queries only (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the dashboard for officers, the registry for the others (web.views.home)
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English complete. Formats: 1.234,5 and dd/mm/yyyy (hoptac/formats/).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
FORMAT_MODULE_PATH = ["hoptac.formats"]
# No grouping by default: years, ids and codes rendered in pages and forms ("2024", value="1818") must
# stay as they are. Figures are grouped where they are shown, by number_format(force_grouping=True)
# (the `figure` filter, the commands, the reports): 1.234,5 in Vietnamese, 1,234.5 in English.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the project's own styles and the vendored libraries
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Django 6.1 mailers. The console backend by default (the demo prints reminders); production sets
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables.
_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
            }
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hoptac@localhost")

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Project settings.
HOPTAC_PAGE_SIZE = 50
# Young managers (cán bộ trẻ): the seeds give no age (seed 000 speaks of "cán bộ quản lý HTX còn trẻ",
# seeds 000 and 004 of young graduates sent to cooperatives). Luật Thanh niên 2020 says 16-30; cadre
# usage says 35. 35 by default, a setting because provinces differ.
HOPTAC_YOUNG_MANAGER_MAX_AGE = int(os.environ.get("HOPTAC_YOUNG_MANAGER_MAX_AGE", "35"))
HOPTAC_PROVINCE_CODE = os.environ.get("HOPTAC_PROVINCE_CODE", "12")  # the province this install serves
# Imports (hoptac.imports): the largest file accepted, and how many rows run within the request;
# larger files run on the task worker (`hoptac db_worker`) with a progress bar.
HOPTAC_IMPORT_MAX_BYTES = int(os.environ.get("HOPTAC_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
HOPTAC_IMPORT_INLINE_ROWS = int(os.environ.get("HOPTAC_IMPORT_INLINE_ROWS", "2000"))
# Task reports' attachments (PDF and office files): the largest accepted, in megabytes.
HOPTAC_ATTACHMENT_MAX_MB = float(os.environ.get("HOPTAC_ATTACHMENT_MAX_MB", "10"))
# The annual report (hoptac.documents, docs/reports.md): a province's own Word template (a path; empty
# for the default), and the size of area (organisations) above which the task worker writes it.
HOPTAC_REPORT_TEMPLATE = os.environ.get("HOPTAC_REPORT_TEMPLATE", "")
HOPTAC_REPORT_INLINE_ORGANISATIONS = int(os.environ.get("HOPTAC_REPORT_INLINE_ORGANISATIONS", "20000"))
