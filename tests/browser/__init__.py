"""Browser tests: a real kirjuri serve, driven in Debian's chromium."""
