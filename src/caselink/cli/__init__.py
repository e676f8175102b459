"""The ``caselink`` command line: thin Typer commands over the library."""
