"""`python -m pretenders_proxy` is the `pretenders` command."""

from pretenders_proxy.cli import main

main()
