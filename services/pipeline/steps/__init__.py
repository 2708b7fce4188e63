"""What one refresh run does, step by step.

``runner`` runs plan → check → import → train → guardrail → deploy → verify: ``planning`` (what
to import, train and deploy), ``data_steps`` (readiness check, dataset import, solution
version), ``campaign_steps`` (the ``guardrail``, UpdateCampaign, verification); ``sources``
turns a data location into what an import job reads; ``calls`` and ``step_context`` are how a
long run calls Personalize (waits that stop when the run's lock is lost).
"""
