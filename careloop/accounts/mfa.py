"""TOTP enrolment and verification on top of django-otp's TOTP devices."""

from __future__ import annotations

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from careloop.accounts.models import User


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def start_enrolment(user: User) -> TOTPDevice:
    """Give the user a fresh unconfirmed authenticator (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def enrol_confirmed_device(user: User) -> TOTPDevice:
    """Create a confirmed device directly: used when seeding demo staff, never by the web flow."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show right now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def qr_code_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the device's otpauth:// URI."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def manual_entry_key(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for people who cannot scan a QR code."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
