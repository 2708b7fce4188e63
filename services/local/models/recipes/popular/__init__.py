"""The POPULAR_ITEMS recipes: aws-popularity-count and aws-trending-now. The registry imports
the recipes by module; nothing outside needs more."""
