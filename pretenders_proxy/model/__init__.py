"""Plain frozen data that every layer shares; imports no framework."""
