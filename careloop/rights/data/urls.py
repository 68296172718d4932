"""Pages: everything about me, its download, erasure."""

from django.urls import URLPattern, path

from careloop.rights.data import views as data_views

urlpatterns: list[URLPattern] = [
    path("data/", data_views.my_data, name="data"),
    path("data/export.json", data_views.export_json, name="data-export"),
    path("data/erase/", data_views.erase, name="data-erase"),
]
