from ninja import Router
from ninja.security import django_auth

router = Router(tags=["safety"], auth=django_auth)
