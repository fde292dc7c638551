"""Reusable widgets of the newsdesk app."""
