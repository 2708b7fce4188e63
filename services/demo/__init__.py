"""The demo shop: ``data`` generates it, ``shop`` creates it through the Personalize API."""
