"""The medkb/citations plugin."""
