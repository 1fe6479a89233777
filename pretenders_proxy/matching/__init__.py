"""Pure matching: request views, field matchers, the prefix index and the engine; no I/O."""
