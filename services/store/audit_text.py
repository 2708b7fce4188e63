"""The audit log's words for people, in the reader's language.

Audit rows are stored once, in English, as their writers wrote them (the CLI and the refresh
runner speak English, and a row outlives the language of whoever caused it). They are put into
the reader's language when shown: the action by its name here, the message by the template it
was written from. The writers format their messages from the same templates (``note``), so a
stored message and its template cannot drift apart, and rows stored before this module existed
read the same way, since they were written in these words.

What a template leaves as a field (an ARN, a name a user typed, a run's reason, a Personalize
status) is copied as it was stored: it is data, shown as plain text. A message no template
matches (an error's own text, a note from an older version) is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from services.i18n import N_, N_plural, Plural, _, translated

# The audit log's action column: the action as recorded (the API operation, or the dashboard's
# own name for an action that is not one call). English keeps these names, which the audit
# log's readers and its CSV already know; other languages name the action in their words.
ACTIONS: Mapping[str, str] = {
    "refresh": N_("refresh"),
    "refresh finished": N_("refresh finished"),
    "update_campaign": N_("update_campaign"),
    "update_recommender": N_("update_recommender"),
    "create_solution": N_("create_solution"),
    "create_solution_version": N_("create_solution_version"),
    "stop_solution_version": N_("stop_solution_version"),
    "create_dataset_import_job": N_("create_dataset_import_job"),
    "create_filter": N_("create_filter"),
    "create_batch_inference_job": N_("create_batch_inference_job"),
    "create_batch_segment_job": N_("create_batch_segment_job"),
    "start_experiment": N_("start_experiment"),
    "stop_experiment": N_("stop_experiment"),
    "promote_experiment_winner": N_("promote_experiment_winner"),
    "export_experiment_events": N_("export_experiment_events"),
    "apply setup file": N_("apply setup file"),
    "sign_in": N_("sign_in"),
    "sign_out": N_("sign_out"),
    "data_checks": N_("data_checks"),
    "prepare": N_("prepare"),
}

RESULTS: Mapping[str, str] = {"ok": N_("ok"), "error": N_("error")}

# The actor of what a refresh run did by itself: who started the run, and which run.
BY_REFRESH = N_("{actor} (refresh #{run})")

# Message templates, in the English they are stored in; {fields} are data.
RUN_STARTED = N_("run #{run} started")
RUN_ATTACHED = N_("run #{run} attached")
RUN_RESUMED = N_("run #{run} resumed")
RUN_ENDED = N_("run #{run} {status}: {reason}")
NEW_VERSION = N_("new version {arn}")
NEW_SOLUTION = N_("new solution {arn}")
UPDATED_NONE = N_("updated no campaign")
UPDATED = N_("updated {campaigns}")
EXPERIMENT = N_("experiment {id}")
REFUSED_LOCKED = N_("refused: locked for {wait}")
REFUSED = N_("refused: {reason}")
WRONG_PASSWORD = N_("wrong user name or password")
WRONG_PASSWORD_LOCKED = N_("wrong user name or password; locked for {wait}")
UNRECORDED = N_("started; its result was not recorded")
CHANGES_MADE = N_plural("{n} change made", "{n} changes made")

# A refresh run's outcome (its record's reason, and the reason in RUN_ENDED), as the runner
# (``services.pipeline.steps.runner``) writes it.
DEPLOYED = N_("Deployed {deployed}.")
GUARDRAIL_REFUSED = N_("Not deployed by the guardrail: {refused}")
ALREADY_SERVED = N_("Every campaign already served the new versions.")
REASONS: tuple[str, ...] = (DEPLOYED, GUARDRAIL_REFUSED, ALREADY_SERVED)

# Most specific first: "updated no campaign" before "updated {campaigns}".
TEMPLATES: tuple[str, ...] = (
    RUN_STARTED,
    RUN_ATTACHED,
    RUN_RESUMED,
    RUN_ENDED,
    NEW_VERSION,
    NEW_SOLUTION,
    UPDATED_NONE,
    UPDATED,
    EXPERIMENT,
    REFUSED_LOCKED,
    REFUSED,
    WRONG_PASSWORD_LOCKED,
    WRONG_PASSWORD,
    UNRECORDED,
)
_FIELD = re.compile(r"\{(\w+)\}")


def note(template: str, **fields: object) -> str:
    """The message to store for ``template`` (one of ``TEMPLATES``) with ``fields``, in
    English whatever the reader's language: ``note(RUN_STARTED, run=3)`` is "run #3 started"."""
    return template.format(**fields)


def run_note(run: int, *, attached: bool, resumed: bool) -> str:
    """The stored message of a refresh request: its run joined one already running
    (attached), picked up a stopped one (resumed), or started."""
    template = RUN_ATTACHED if attached else (RUN_RESUMED if resumed else RUN_STARTED)
    return note(template, run=run)


def changes_note(n: int) -> str:
    """The stored message of an apply that made ``n`` changes, in English."""
    return (CHANGES_MADE.singular if n == 1 else CHANGES_MADE.plural).format(n=n)


@dataclass(frozen=True)
class _Pattern:
    template: str | Plural
    regex: re.Pattern[str]


def _regex(template: str) -> re.Pattern[str]:
    """``template`` as a pattern to full-match: its words literal, each {field} any text."""
    parts = _FIELD.split(template)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(pattern, re.DOTALL)


@cache
def _patterns() -> tuple[_Pattern, ...]:
    plural = [
        _Pattern(CHANGES_MADE, _regex(form))
        for form in (CHANGES_MADE.singular, CHANGES_MADE.plural)
    ]
    return (*(_Pattern(t, _regex(t)) for t in TEMPLATES), *plural)


@cache
def _reasons() -> tuple[_Pattern, ...]:
    return tuple(_Pattern(t, _regex(t)) for t in REASONS)


def _fill(patterns: tuple[_Pattern, ...], text: str) -> str | None:
    """``text`` in the reader's language by the first of ``patterns`` that wrote it."""
    for pattern in patterns:
        found = pattern.regex.fullmatch(text)
        if found is None:
            continue
        fields = found.groupdict()
        if "reason" in fields:
            fields["reason"] = reason_text(fields["reason"])
        if isinstance(pattern.template, Plural):
            count = int(fields["n"]) if fields["n"].isdigit() else 2
            return translated(pattern.template, count).format(**fields)
        return _(pattern.template).format(**fields)
    return None


def reason_text(reason: str) -> str:
    """A refresh run's stored outcome (``REASONS``) in the reader's language, its names and
    versions as stored; any other reason (an error's text) as stored."""
    return _fill(_reasons(), reason) or reason


def action_text(action: str) -> str:
    """The action's name in the reader's language; an action this module does not know is
    shown as stored."""
    known = ACTIONS.get(action)
    return _(known) if known else action


def actor_text(actor: str) -> str:
    """Who acted, in the reader's language when a refresh run did (``BY_REFRESH``); the
    name itself as stored."""
    found = _by_refresh().fullmatch(actor)
    return _(BY_REFRESH).format(**found.groupdict()) if found else actor


@cache
def _by_refresh() -> re.Pattern[str]:
    return _regex(BY_REFRESH)


def result_text(result: str) -> str:
    """ "ok" or "error" in the reader's language."""
    known = RESULTS.get(result)
    return _(known) if known else result


def message_text(message: str | None) -> str:
    """The stored ``message`` in the reader's language when a template wrote it, its fields
    copied as they were stored; otherwise as stored ("" for none)."""
    if not message:
        return ""
    return _fill(_patterns(), message) or message
