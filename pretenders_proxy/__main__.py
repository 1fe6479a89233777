"""`python -m pretenders_proxy` is the `pretenders` command."""

from pretenders_proxy.cli.app import main

main()
