"""Reports built on the read models: the access report and its renderings."""
