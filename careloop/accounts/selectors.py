def active_user_named(username: str, *, service_id: uuid.UUID | None = None) -> User | None:
    """The active user signed in as `username` (in that service, if given), or None: for
    management commands, whose `--by` names who acts."""
    users = User.objects.filter(username=username, is_active=True)
    if service_id is not None:
        users = users.filter(service_id=service_id)
    return users.first()
