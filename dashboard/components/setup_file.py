"""The setup file on the pages: drift on the Overview, the plan and its apply on Operations.

What differs and what apply does are decided in ``services.setup_file``; this module draws.
Names, fields and values come from the file and the account: they are drawn as text (in
dataframes and code blocks, or escaped), never as markdown.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.alerts import PAGE_FILES
from dashboard.components.errors import shown_errors
from dashboard.components.language import in_session_language
from dashboard.components.operations.actions import flash
from dashboard.components.operations.tabs import link_params
from dashboard.components.text import md_escape
from services.costs.pricing import prices_for
from services.i18n import N_, _, formats, ngettext
from services.setup_file.drift import SetupReport, apply_setup
from services.setup_file.plan import Change, Plan

ACTIONS = {
    "create": N_("create"),
    "update": N_("update"),
    "replace": N_("replace"),
    "delete": N_("delete"),
    "extra": N_("not in the file"),
}
APPLY_ACTION = "apply setup file"  # the audit log's action (services.setup_file.apply)
# The confirmation stays open across the reruns its own widgets cause, until it is dismissed
# or the apply ends.
OPEN_KEY = "setup_apply_open"


def changes_frame(changes: Iterable[Change]) -> pd.DataFrame:
    """One row per change: what happens, to which resource, which fields and why."""
    rows = []
    for change in changes:
        notes = [f"{f.field}: {f.current!r} → {f.wanted!r}" for f in change.fields]
        if change.trains:
            notes.append(_("trains a solution version first"))
        if change.because:
            notes.append(_("replaced because {why}").format(why=change.because))
        if change.blocked:
            notes.append(_("blocked: {why}").format(why=change.blocked))
        rows.append(
            {
                _("action"): _(ACTIONS.get(change.action, change.action)),
                _("resource"): change.label,
                _("what differs"): "; ".join(notes),
            }
        )
    return pd.DataFrame(rows, columns=[_("action"), _("resource"), _("what differs")])


def show_drift(path: Path | None) -> None:
    """The Overview's line about the setup file: what is missing, extra or different, with a
    link to the plan on Operations. Nothing without a file set."""
    if path is None:
        return
    report = reads.setup_report()
    if report is None:
        return  # the read said what failed
    link = link_params("setup", None)
    if report.problems:
        st.warning(
            ngettext(
                "The setup file {path} has {count} problem; the account is not compared with it.",
                "The setup file {path} has {count} problems; the account is not compared with it.",
                len(report.problems),
            ).format(path=md_escape(report.path), count=formats.count(len(report.problems))),
            icon=":material/description:",
        )
    elif report.drifted:
        st.warning(
            _(
                "The account differs from the setup file {path}: {missing} missing, "
                "{extra} extra, {different} different."
            ).format(
                path=md_escape(report.path),
                missing=len(report.missing),
                extra=len(report.extra),
                different=len(report.different),
            ),
            icon=":material/description:",
        )
        st.dataframe(
            changes_frame((*report.missing, *report.different, *report.extra)),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption(
            _("The account matches the setup file {path}.").format(path=md_escape(report.path))
        )
        return
    st.page_link(
        PAGE_FILES["operations"],
        label=_("See the plan on Operations"),
        icon=":material/arrow_forward:",
        query_params=link,
    )


def show_setup_tab(path: Path | None) -> None:
    """Operations' Setup file tab: the plan in order with its cost, and (operators) apply."""
    if path is None:
        st.info(
            _(
                "No setup file: set PERSONALIZE_SETUP_FILE to a file written by "
                "`python -m services.setup_file export` (docs/setup-file.md)."
            )
        )
        return
    report = reads.setup_report()
    if report is None:
        return
    st.caption(_("Setup file: {path}").format(path=md_escape(report.path)))
    if report.problems:
        st.error(_("The setup file has problems; fix them before it can be applied:"))
        st.code("\n".join(report.problems), language=None)
        return
    plan = report.plan
    if plan is None:
        return
    if plan.pending:
        st.dataframe(changes_frame(plan.pending), hide_index=True, width="stretch")
        _show_cost(plan)
    else:
        st.success(_("The account is as the setup file says: nothing to apply."))
    if plan.extra:
        st.caption(
            _(
                "Not in the file, kept (only `python -m services.setup_file apply --prune` "
                "deletes them): {names}"
            ).format(names=md_escape(", ".join(c.label for c in plan.extra)))
        )
    refusal = identity.refusal()
    blocked = _("The plan has blocked changes: see the table.") if plan.blocked else None
    if st.button(
        _("Apply…"),
        key="setup_apply",
        disabled=bool(refusal or blocked or not plan.pending),
        help=refusal or blocked,
    ):
        st.session_state[OPEN_KEY] = True
    if st.session_state.get(OPEN_KEY) and plan.pending and not (refusal or blocked):
        _confirm(report, path)


def _show_cost(plan: Plan) -> None:
    cost = plan.cost
    parts = []
    if cost.training_runs:
        parts.append(
            ngettext(
                "{runs} training run, {hours} training hours known for {known}",
                "{runs} training runs, {hours} training hours known for {known}",
                cost.training_runs,
            ).format(
                runs=formats.count(cost.training_runs),
                hours=formats.metric(cost.training_hours),
                known=cost.known_runs,
            )
        )
    if cost.tps_after != cost.tps_before:
        parts.append(
            _(
                "campaigns' minimum TPS {before} → {after}: {usd_before} → {usd_after} a month"
            ).format(
                before=cost.tps_before,
                after=cost.tps_after,
                usd_before=formats.money(cost.monthly_usd_before, "USD"),
                usd_after=formats.money(cost.monthly_usd_after, "USD"),
            )
        )
    if cost.rps_after != cost.rps_before:
        parts.append(
            _(
                "recommenders' minimum requests a second {before} → {after}: "
                "{requests} billed requests a month at least"
            ).format(
                before=cost.rps_before,
                after=cost.rps_after,
                requests=formats.count(cost.requests_per_month_after),
            )
        )
    if parts:
        st.caption(md_escape(_("Cost: ") + "; ".join(parts)))


def _confirm(report: SetupReport, path: Path) -> None:
    plan = report.plan
    count = len(plan.pending) if plan else 0

    def body() -> None:
        st.write(
            ngettext(
                "Apply makes {count} change in Personalize and waits for it: training and "
                "campaigns cost money, and this page waits until it is done. It deletes "
                "nothing the file lacks.",
                "Apply makes {count} changes in Personalize, in the order shown, and waits "
                "for each: training and campaigns cost money, and this page waits until it "
                "is done. It deletes nothing the file lacks.",
                count,
            ).format(count=formats.count(count))
        )
        sure = st.checkbox(_("I have read the plan"), key="setup_apply_confirm")
        if st.button(_("Apply"), key="setup_apply_go", type="primary", disabled=not sure):
            _apply(path, count)

    st.dialog(_("Apply the setup file"), on_dismiss=_close)(in_session_language(body))()


def _close() -> None:
    st.session_state.pop(OPEN_KEY, None)


def _apply(path: Path, count: int) -> None:
    if not identity.permit(APPLY_ACTION, str(path), {"changes": count}):
        return
    settings = deps.settings()
    with shown_errors(_("Apply stopped")):
        with st.spinner(_("Applying the setup file…")):
            done = apply_setup(
                deps.clients().personalize,
                path,
                prices_for(settings.region, settings.prices),
                deps.store(),
                identity.actor(),
                settings.role_arn,
            )
        _close()
        reads.invalidate()
        flash(
            ngettext(
                "Setup file applied: {count} change.",
                "Setup file applied: {count} changes.",
                len(done),
            ).format(count=formats.count(len(done)))
        )
        st.rerun()
    reads.invalidate()  # what was done before the failure shows too
