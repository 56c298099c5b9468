"""The ``medkb/search`` plugin: a chunked Pagefind index instead of one search file."""
