"""The staff API (/api/), its OpenAPI schema and docs (CONTRACT 7)."""

urlpatterns: list = []
