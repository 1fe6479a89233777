"""The `pretenders` command (typer): `app` holds it, `main` is the console script's entry."""
