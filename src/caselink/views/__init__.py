"""Read-only views of the store for people: case lists, case detail."""
