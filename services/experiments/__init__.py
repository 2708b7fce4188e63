"""Experiments: campaigns or recommenders compared on live traffic, split by user ID."""
