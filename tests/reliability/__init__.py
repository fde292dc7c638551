"""Reliability tests: the bad-input zoo and query fuzzing (issue 6)."""
