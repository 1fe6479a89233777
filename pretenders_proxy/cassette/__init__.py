"""Cassettes: recorded exchanges as plain records (record.py), their versions (migrate.py) and the
one module that reads and writes cassette files (io.py)."""
