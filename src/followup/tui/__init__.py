"""The terminal UI, built with Textual; the core never imports it."""
