"""Server-rendered charts for staff pages (inline SVG, pure: no Django)."""
