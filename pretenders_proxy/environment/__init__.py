"""What an app's environment needs to use pretenders, whatever it is written in (issue 19)."""
