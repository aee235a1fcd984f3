"""The ``clears`` command line (Typer). Thin: it parses, calls the library and prints."""
