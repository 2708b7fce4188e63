"""Control-plane operations of the local engine, one module per resource family."""
