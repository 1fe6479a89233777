"""The SMTP edge: aiosmtpd listeners served in the one event loop; the only package importing it."""
