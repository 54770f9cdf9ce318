"""Allows `python -m execflow`."""

from execflow.cli.main import main

main()
