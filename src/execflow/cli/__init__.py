"""The `execflow` command line."""
