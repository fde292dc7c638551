"""newsdesk's headless core: article files in, clean articles, an index and search out.

Nothing here imports Textual; `tui/` builds on this package, never the reverse.
"""
