"""Routers of the web app: pages (HTML) and the JSON API under /api/."""
