"""Where the local engine keeps data too big for row-by-row SQL."""
