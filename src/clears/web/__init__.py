"""The clears web app (FastAPI); build it with :func:`clears.web.app.create_app`."""
