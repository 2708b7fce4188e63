"""The PERSONALIZED_ACTIONS recipe: aws-next-best-action."""

from __future__ import annotations

from services.local.models.recipes.actions.next_best_action import ActionModel, action_event_type

__all__ = ["ActionModel", "action_event_type"]
