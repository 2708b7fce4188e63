"""The user-personalization recipes: aws-user-personalization (recency-aware EASE / ALS with a
sequential term, ``user_personalization``), aws-personalized-ranking (the same model re-ranking
a given list) and their trained model (``_up_model``). The registry imports the recipes by
module; nothing outside needs more."""
