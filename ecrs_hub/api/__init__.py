"""Pieces the staff API (/api/) shares: permissions, pagination, filters and the OpenAPI
hooks that describe the /ecrs/ and /pos/ endpoints."""
