"""`python -m oms_ld` is the `oms-ld` command."""

from .cli import main

main()
