"""The medkb/audience plugin."""
