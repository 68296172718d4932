"""Template filters for measures and schedules in plain words (careloop.monitoring.plain_names).

{% load plain_names %}
{{ "phq9@1.0.0"|measure_name }}        PHQ-9
{{ 7|cadence_words }}                   weekly
{{ item.measure|with_cadence:item.every_days }}   PHQ-9, weekly
"""

from __future__ import annotations

from django import template

from careloop.monitoring import plain_names

register = template.Library()

register.filter("measure_name", plain_names.measure_name)
register.filter("cadence_words", plain_names.cadence_words)
register.filter("grace_words", plain_names.grace_words)
register.filter("with_cadence", plain_names.measure_with_cadence)
