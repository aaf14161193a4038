"""Use cases behind the facade (commands.service.Kirjuri): callers see only it."""
