"""The v2 recipes: aws-user-personalization-v2 and aws-personalized-ranking-v2, a self-attentive
next-item network (``_sasrec_net``) trained with JAX (``_sasrec_train``, imported only when a
model is fitted) and served with numpy (``_sasrec_model``). The registry imports the recipes by
module; nothing outside needs more."""
