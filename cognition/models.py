"""Data pulled from ECRS Cognition."""
