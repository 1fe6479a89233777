"""The shared store (`--store redis://...`): sessions in Redis or Valkey, which several
pretenders instances use as one; each keeps copies in its own Store."""
