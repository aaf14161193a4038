"""One router per area: commands, subjects, history, requests, integrity."""
