from django.urls import path

from careloop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("logout/", views.sign_out, name="logout"),
    path("security/", views.security_events, name="security-events"),
    path("invite/", views.invitation_code, name="invitation-code"),
    path("invite/<str:code>/", views.invitation, name="invitation"),
]
