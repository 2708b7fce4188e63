"""The runtime API: ``model_cache`` (loaded models), ``scoring`` (lists, rankings), ``handlers``."""
