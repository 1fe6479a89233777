"""What an app's environment needs for its traffic to go through pretenders, in any runtime."""
