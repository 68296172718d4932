"""Django project wiring only: settings, URLs, WSGI. No domain logic lives here."""
