"""Administration in the web (wiring only): each page is a view in its own domain.

/manage/ is the service admin's hub; staff and invitations are accounts', patients and care
teams care's, escalation policies and the on-call rota safety's, the research extract
analytics'. The crisis-line review stays at safety_planning:review (linked from the hub)."""

from django.urls import URLPattern, path

from careloop.accounts import manage_views as accounts_views
from careloop.analytics import research_views
from careloop.care import manage_views as care_views
from careloop.safety import manage_views as safety_views

app_name = "manage"
urlpatterns: list[URLPattern] = [
    path("", accounts_views.hub, name="hub"),
    path("staff/", accounts_views.staff, name="staff"),
    path("staff/add/", accounts_views.staff_add, name="staff-add"),
    path("staff/<uuid:user_id>/invite/", accounts_views.staff_reinvite, name="staff-reinvite"),
    path("patients/", care_views.patients, name="patients"),
    path("patients/add/", care_views.patient_add, name="patient-add"),
    path("patients/<uuid:patient_id>/", care_views.patient, name="patient"),
    path("patients/<uuid:patient_id>/invite/", care_views.patient_invite, name="patient-invite"),
    path(
        "patients/<uuid:patient_id>/discharge/",
        care_views.patient_discharge,
        name="patient-discharge",
    ),
    path("teams/", care_views.teams, name="teams"),
    path("teams/<uuid:team_id>/", care_views.team, name="team"),
    path("teams/<uuid:team_id>/members/add/", care_views.team_member_add, name="team-member-add"),
    path(
        "teams/<uuid:team_id>/members/remove/",
        care_views.team_member_remove,
        name="team-member-remove",
    ),
    path("escalation/", safety_views.escalation, name="escalation"),
    path("escalation/<uuid:team_id>/", safety_views.team_escalation, name="team-escalation"),
    path("escalation/<uuid:team_id>/shifts/", safety_views.shift_add, name="shift-add"),
    path(
        "escalation/<uuid:team_id>/shifts/<uuid:shift_id>/remove/",
        safety_views.shift_remove,
        name="shift-remove",
    ),
    path("research/", research_views.research, name="research"),
]
