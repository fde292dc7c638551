"""newsdesk's Textual app and its command line."""
