"""Test doubles of Cognition, not product: a real HTTP server on loopback that serves the
documented shapes (:mod:`.fake_server`) from generated data (:mod:`.fake_data`). Used by the
tests, the benchmarks and the demo's `fake_cognition` command; never by the hub's own code
paths."""
