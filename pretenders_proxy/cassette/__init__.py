"""Cassettes: recorded exchanges as plain maps, items (codec.py), their versions (migrate.py), and
the modules that read, write and mend cassette files (reading.py, writing.py, repair.py)."""
