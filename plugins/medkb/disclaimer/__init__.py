"""The medkb/disclaimer plugin."""
