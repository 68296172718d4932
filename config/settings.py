"""Careloop settings: one module, everything from the environment, failing fast on bad values.

CARELOOP_ENV selects defaults: `development` (make run), `test` (pytest) or `production`
(refuses to start without a real SECRET_KEY and with DEBUG on).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from careloop.core import logging as careloop_logging
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

# Keys that encrypt free text at rest (careloop.core.crypto); outside the database by design.
if IS_PRODUCTION:
    FIELD_ENCRYPTION_KEYS_FILE = Path(env("FIELD_ENCRYPTION_KEYS_FILE"))
    # Refuse to start on a missing or malformed keyring rather than fail on the first note.
    from careloop.core.crypto import Keyring, KeyringError

    try:
        Keyring.from_file(FIELD_ENCRYPTION_KEYS_FILE)
    except KeyringError as _keyring_error:
        raise ImproperlyConfigured(str(_keyring_error)) from None
else:
    from careloop.core.crypto import ensure_keyring_file

    FIELD_ENCRYPTION_KEYS_FILE = Path(
        env("FIELD_ENCRYPTION_KEYS_FILE", str(VAR_DIR / "field_encryption_keys.json"))
    )
    ensure_keyring_file(FIELD_ENCRYPTION_KEYS_FILE)

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
    "axes",
    "csp",
    "oauth2_provider",
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
    "careloop.monitoring.supervision",
    "careloop.journal",
    "careloop.messaging",
    "careloop.fhir",
    "careloop.rights",
    "careloop.ai",
    "careloop.seed",
]

MIDDLEWARE = [
    "careloop.core.logging.RequestIdMiddleware",
    # Before anything reads the body: deep or huge JSON is refused unparsed (HZ-025).
    "careloop.core.limits.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files stay cacheable): no-store for anything with patient data.
    "careloop.core.cache_control.NoStoreMiddleware",
    # Django's, but a database lost while saving the session is a 503, not a 400.
    "careloop.accounts.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: a signed-in patient's saved language when they made no explicit choice.
    "careloop.care.language.SavedLanguageMiddleware",
    # Every 403 below this line (MFA gate, CSRF, refused actions) goes on the audit chain.
    "careloop.accounts.middleware.DeniedRequestAuditMiddleware",
    "careloop.accounts.middleware.SessionTimeoutMiddleware",
    "careloop.accounts.middleware.StaffMfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it answers a locked-out sign-in (careloop.accounts.lockout).
    "axes.middleware.AxesMiddleware",
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
                "careloop.safety.context_processors.fallback_banners",
                "careloop.rights.access.context_processors.emergency_access",
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

# Sign-in throttling (django-axes): its backend first so a locked-out pair never reaches the
# password check. Lockout is per username+IP (unknown usernames lock exactly like real ones, so
# the answer reveals nothing); LOGIN_IP_FAILURE_LIMIT caps failures from one IP across usernames.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 50, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "careloop.accounts.lockout.locked_out_response"
AXES_VERBOSE = False  # its log lines name the username; ours carry no personal data
AXES_DISABLE_ACCESS_LOG = True  # audit records sign-ins; no second table of usernames and IPs
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0) or None

# Sessions: idle and absolute limits (careloop.accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_SECONDS_STAFF = env_int("SESSION_IDLE_SECONDS_STAFF", 15 * 60, minimum=60)
SESSION_IDLE_SECONDS_PATIENT = env_int("SESSION_IDLE_SECONDS_PATIENT", 30 * 60, minimum=60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=300)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SAMESITE = "Lax"
if SECURE_COOKIES:
    # __Host-: the browser accepts these only over HTTPS, for Path=/ and with no Domain, so a
    # sibling subdomain can never plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-careloop-session"
    CSRF_COOKIE_NAME = "__Host-careloop-csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): no inline script or style anywhere, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

OTP_TOTP_ISSUER = "Careloop"

# Languages (#14, docs/patient-app/languages.md): every shipped language has a complete
# catalogue under locale/ (tests/i18n) and is covered by the crisis-text detector
# (careloop.safety.text.rules.SUPPORTED_LANGUAGES; a test keeps the two lists equal). Names are
# the English ones Django expects here; the language picker shows each name in its own language.
# Which language a page is in: an explicit choice (the picker's cookie) > a signed-in patient's
# saved preference (careloop.care.language) > the browser's Accept-Language > LANGUAGE_CODE.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("pt", "Portuguese"),
    ("ar", "Arabic"),
    ("de", "German"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
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
# SMART on FHIR: django-oauth-toolkit as the authorisation server (careloop.fhir.smart).
# Authorisation happens in a signed-in browser session (staff past MFA), so tokens are minted
# only after MFA. Every RFC 9700 gate is on: PKCE S256 only, no implicit/password grants,
# tokens stored hashed, `iss` in the authorisation response.
# Named explicitly: careloop.fhir's migrations point at the (swappable) Application model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "careloop.fhir.smart.validator.SmartValidator",
    "SCOPES_BACKEND_CLASS": "careloop.fhir.smart.validator.SmartScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 3600, minimum=60),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_REFRESH_TOKEN_SECONDS", 14 * 86400, minimum=60),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if IS_PRODUCTION else ["http", "https"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
# Bulk $export (careloop.fhir.bulk): finished exports are kept this long, then deleted.
FHIR_BULK_EXPORT_RETENTION_SECONDS = env_int(
    "FHIR_BULK_EXPORT_RETENTION_SECONDS", 86400, minimum=60
)
# The canonical base of Careloop's own FHIR URLs (code systems, extensions, Questionnaires,
# identifier systems). The default is a PLACEHOLDER: a deployment sets a URL it controls,
# ideally its FHIR base (e.g. https://careloop.example.org/fhir/r4), where every canonical then
# resolves (GET <base>/CodeSystem/<id>, /StructureDefinition/<id>, /ValueSet/<id>).
CARELOOP_FHIR_CANONICAL_BASE = env(
    "CARELOOP_FHIR_CANONICAL_BASE", "https://careloop.example/fhir"
).rstrip("/")
WORKER_POLL_SECONDS = float(env_int("WORKER_POLL_MILLISECONDS", 1000, minimum=10)) / 1000
# /healthz answers 503 when no alert worker has beaten for this long (careloop.core.heartbeat).
HEALTH_WORKER_STALE_SECONDS = env_int("HEALTH_WORKER_STALE_SECONDS", 60, minimum=5)
if HEALTH_WORKER_STALE_SECONDS <= WORKER_POLL_SECONDS:
    raise ImproperlyConfigured("HEALTH_WORKER_STALE_SECONDS must exceed the worker's poll interval")
# Request bodies that may be JSON (careloop.core.limits, HZ-025): refused before any parsing when
# larger (413) or nested deeper (400). 64 levels is over 5x the deepest Synthea bundle (11) and
# leaves room for nested QuestionnaireResponse groups. Parsers recurse once per level: measured,
# R4B validation of a Patient nested 200 deep kills a thread with a 2 MiB stack (150 passes), so
# the ceiling is 100.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 64, minimum=8)
if JSON_MAX_DEPTH > 100:
    raise ImproperlyConfigured(f"JSON_MAX_DEPTH must be at most 100, not {JSON_MAX_DEPTH}")
JSON_MAX_BODY_BYTES = env_int("JSON_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# How long closed safety records stay under legal hold after an erasure (docs/privacy/
# patient-rights.md). UNVERIFIED default: each deployment sets its jurisdiction's period.
CARELOOP_SAFETY_RECORD_RETENTION_YEARS = env_int("SAFETY_RECORD_RETENTION_YEARS", 20, minimum=1)

# Audit chain keys (docs/privacy/audit.md): files outside the database. The Ed25519 key signs
# checkpoints; the pseudonym key keys the HMAC that stands for a patient in audit records.
from careloop.audit import keyfiles as _audit_keys  # noqa: E402  (framework-free)

if IS_PRODUCTION:
    AUDIT_SIGNING_KEY_FILE = Path(env("AUDIT_SIGNING_KEY_FILE"))
    AUDIT_PSEUDONYM_KEY_FILE = Path(env("AUDIT_PSEUDONYM_KEY_FILE"))
    try:
        _audit_keys.check_key_files(AUDIT_SIGNING_KEY_FILE, AUDIT_PSEUDONYM_KEY_FILE)
    except _audit_keys.AuditKeyError as _error:
        raise ImproperlyConfigured(str(_error)) from None
else:
    AUDIT_SIGNING_KEY_FILE = Path(
        env("AUDIT_SIGNING_KEY_FILE", str(VAR_DIR / "audit_signing_key.pem"))
    )
    AUDIT_PSEUDONYM_KEY_FILE = Path(
        env("AUDIT_PSEUDONYM_KEY_FILE", str(VAR_DIR / "audit_pseudonym_key"))
    )
    _audit_keys.ensure_key_files(AUDIT_SIGNING_KEY_FILE, AUDIT_PSEUDONYM_KEY_FILE)
# Public keys of retired signing keys (comma-separated PEM paths), so old checkpoints still verify.
AUDIT_VERIFY_PUBLIC_KEY_FILES = [
    Path(p.strip()) for p in env("AUDIT_VERIFY_PUBLIC_KEY_FILES", "").split(",") if p.strip()
]
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 15, minimum=1)

# Structured logs without personal data (careloop.core.logging): JSON lines in production.
LOGGING_CONFIG = "careloop.core.logging.configure"
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if IS_PRODUCTION else "console", {"json", "console"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": careloop_logging.formatter(json=LOG_FORMAT == "json")},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # Never SQL with its parameters, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "WARNING"},
    },
}
