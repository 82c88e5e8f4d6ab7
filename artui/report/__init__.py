"""Reports printed once, for scripts, cron and incident channels (no Textual here):
status (`artui status`)."""
