"""Reminders (issue #14 item 7): the signed-in patient chooses how and when they are reminded.

Channel (in Careloop only, e-mail, or a browser notification once this browser is subscribed),
time of day, quiet hours and a pause (until a day, or until switched back on). The reader and
writer is the patient themself (`care.selectors.own_patient_record`); anyone else gets 404. The
write goes through `services.set_reminder_preference` (audited); the reminder job honours it
(`services.reminders`). The page tells the patient when a choice cannot be used (no e-mail
address, no browser subscription) and where the reminder goes instead.
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careloop.accounts.selectors import request_user
from careloop.care.selectors import own_patient_record
from careloop.core import clock
from careloop.core.errors import DomainError, InvalidInput, NotFound
from careloop.core.http import client_ip
from careloop.monitoring.schedule import local_date
from careloop.monitoring.selectors import own_reminder_settings, patient_time_zone, send_time_of
from careloop.monitoring.services import set_reminder_preference
from careloop.monitoring.types import ReminderChannel, ReminderSettings
from careloop.notifications.selectors import users_with_web_push

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

PAUSE_OFF, PAUSE_UNTIL, PAUSE_ALWAYS = "off", "until", "always"


def _own(user: User) -> Patient:
    try:
        return own_patient_record(user)
    except NotFound:
        raise Http404 from None


def _time(raw: str, what: str) -> time:
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(
            _("Please give %(what)s as a time, like 08:30.") % {"what": what}
        ) from None


def _settings_from(post: dict[str, str]) -> ReminderSettings:
    try:
        channel = ReminderChannel(post.get("channel", ""))
    except ValueError:
        raise InvalidInput(_("Please choose where your reminders go.")) from None
    remind_at = _time(post.get("remind_at", ""), _("the reminder time"))
    if post.get("quiet") == "none":
        quiet_starts = quiet_ends = time(0, 0)  # same start and end: no quiet hours
    else:
        quiet_starts = _time(post.get("quiet_starts", ""), _("the start of quiet hours"))
        quiet_ends = _time(post.get("quiet_ends", ""), _("the end of quiet hours"))
    pause = post.get("pause", PAUSE_OFF)
    paused_until = None
    if pause == PAUSE_UNTIL:
        try:
            paused_until = date.fromisoformat(post.get("paused_until", "").strip())
        except ValueError:
            raise InvalidInput(_("Please choose the day your reminders start again.")) from None
    return ReminderSettings(
        channel=channel,
        remind_at=remind_at,
        quiet_starts=quiet_starts,
        quiet_ends=quiet_ends,
        paused=pause == PAUSE_ALWAYS,
        paused_until=paused_until,
    )


def _where_it_goes(settings: ReminderSettings, *, has_email: bool, has_push: bool) -> str:
    if settings.channel == ReminderChannel.EMAIL and not has_email:
        return _(
            "We have no e-mail address for you, so your reminders only show in Careloop. "
            "Ask your care team to add your e-mail address."
        )
    if settings.channel == ReminderChannel.WEB_PUSH and not has_push:
        return _(
            "This service cannot send browser notifications yet, so your reminders only show "
            "in Careloop."
        )
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def reminders(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    patient = _own(user)
    error = ""
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = {key: request.POST.get(key, "") for key in request.POST}
        try:
            set_reminder_preference(
                actor=user,
                patient=patient,
                settings=_settings_from(submitted),
                source_ip=client_ip(request),
            )
        except NotFound:
            raise Http404 from None
        except DomainError as problem:
            error = problem.message
        else:
            messages.success(request, _("Saved. Your reminders follow these choices from now on."))
            return redirect("monitoring:reminders")
    settings, chosen = own_reminder_settings(user, patient)
    has_email = bool(user.email)
    has_push = user.id in users_with_web_push([user.id])
    zone = patient_time_zone(patient)
    today = local_date(clock.now(), zone)
    if settings.paused:
        pause = PAUSE_ALWAYS
    elif settings.paused_until and settings.paused_until > today:
        pause = PAUSE_UNTIL
    else:
        pause = PAUSE_OFF
    no_quiet = settings.quiet_starts == settings.quiet_ends
    send_time = send_time_of(settings)
    form = {
        "channel": str(settings.channel),
        "remind_at": settings.remind_at.strftime("%H:%M"),
        "quiet": "none" if no_quiet else "on",
        "quiet_starts": settings.quiet_starts.strftime("%H:%M"),
        "quiet_ends": settings.quiet_ends.strftime("%H:%M"),
        "pause": pause,
        "paused_until": settings.paused_until.isoformat() if settings.paused_until else "",
    } | submitted  # after a refused change the patient's own entries stay in the form
    context = {
        "settings": settings,
        "chosen": chosen,
        "channels": [
            (
                ReminderChannel.IN_APP,
                _("Only in Careloop"),
                _("Nothing is sent to you outside Careloop."),
            ),
            (
                ReminderChannel.EMAIL,
                _("E-mail"),
                user.email or _("We have no e-mail address for you."),
            ),
            (
                ReminderChannel.WEB_PUSH,
                _("Browser notification"),
                _("A notice from this browser, even when Careloop is closed.")
                if has_push
                else _("Not available yet on this service."),
            ),
        ],
        "has_push": has_push,
        "where_it_goes": _where_it_goes(settings, has_email=has_email, has_push=has_push),
        "pause": pause,
        "deferred": send_time != settings.remind_at,
        "send_time": send_time,
        "time_zone": zone,
        "tomorrow": date.fromordinal(today.toordinal() + 1).isoformat(),
        "form": form,
        "error": error,
    }
    return render(request, "monitoring/reminders.html", context, status=422 if error else 200)
