"""The HTTP API: FastAPI routers over the one facade."""
