"""Careloop settings: one module, everything from the environment, failing fast on bad values.

CARELOOP_ENV selects defaults: `development` (make run), `test` (pytest) or `production`
(refuses to start without a real SECRET_KEY and with DEBUG on).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env, env_bool, env_choice, env_int

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("CARELOOP_VAR_DIR", str(BASE_DIR / "var")))

# pytest (>= 8.2) exports PYTEST_VERSION, so a bare `pytest` run gets test settings too.
_DEFAULT_ENV = "test" if "PYTEST_VERSION" in os.environ else "development"
CARELOOP_ENV = env_choice("CARELOOP_ENV", _DEFAULT_ENV, {"development", "test", "production"})
IS_PRODUCTION = CARELOOP_ENV == "production"
DEBUG = env_bool("DEBUG", default=CARELOOP_ENV == "development")


def _secret_key() -> str:
    """Production must be given a key; development keeps a random one under var/ across restarts."""
    if IS_PRODUCTION:
        key = env("SECRET_KEY")
        if len(key) < 50 or key.startswith("django-insecure") or key == "changethis":
            raise ImproperlyConfigured(
                "SECRET_KEY must be a random value of at least 50 characters"
            )
        return key
    if key := env("SECRET_KEY", ""):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when CARELOOP_ENV=production")

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "careloop.core",
    "careloop.accounts",
    "careloop.privacy",
    "careloop.audit",
    "careloop.notifications",
    "careloop.care",
    "careloop.instruments",
    "careloop.assessments",
    "careloop.monitoring",
    "careloop.safety",
    "careloop.analytics",
    "careloop.safety.planning",
    "careloop.journal",
    "careloop.messaging",
    "careloop.fhir",
    "careloop.rights",
    "careloop.seed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "careloop.accounts.middleware.StaffMfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'careloop.sqlite3'}"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    # argon2id is Django's Argon2 hasher's variant since Django 3.2.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if CARELOOP_ENV == "test":
    # Tests create many users; the slow hasher would only measure argon2. Production never sees it.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_SECONDS", 8 * 3600, minimum=300)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=IS_PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

OTP_TOTP_ISSUER = "Careloop"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # `careloop collectstatic` fills it for production
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Outbound channels sit behind ports (careloop.notifications.ports); development records them.
_RECORDING_SENDER = "careloop.notifications.senders.RecordingSender"
NOTIFICATION_SENDERS = {
    "email": env("NOTIFICATION_EMAIL_SENDER", _RECORDING_SENDER),
    "sms": env("NOTIFICATION_SMS_SENDER", _RECORDING_SENDER),
    "web_push": env("NOTIFICATION_WEB_PUSH_SENDER", _RECORDING_SENDER),
}
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "careloop@localhost")
WORKER_POLL_SECONDS = float(env_int("WORKER_POLL_MILLISECONDS", 1000, minimum=10)) / 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
