"""The rule playground: a filter and a promotion previewed "as this customer", then saved.

How a rule is previewed before it exists, locally and on AWS, is written in
``services.evaluation.playground``; this module only draws. Saving creates a filter (operators
only, confirmed in a dialog, audited); nothing changes what shoppers see until the shop sends
the filter's ARN with the parameters shown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.errors import shown_errors
from dashboard.components.operations.actions import run_action
from dashboard.components.recommendations.confirm import confirmed, dialog
from dashboard.components.recommendations.products import show_products
from dashboard.components.text import md_escape
from services.datasets.local_engine.preview import (
    ExpressionRefused,
    InlineRules,
    check_expression,
    preview_lists,
    unfilled_parameters,
)
from services.errors import ServiceError
from services.evaluation import playground as pg
from services.evaluation.sampling import ItemCatalog, parse_ids
from services.i18n import N_, _, formats
from services.workspace.catalog import CampaignInfo

SAVED_KEY = "pg_saved"  # expression -> filter ARN created in this session
CONFIRM_KEY = "pg_confirm"  # the rule whose save dialog is open
MARKS = {"left": N_("left"), "entered": N_("entered"), "up": N_("up {n}"), "down": N_("down {n}")}
FILTER, PROMOTION = "filter", "promo"  # also the keys of their fields
UNFILLED = "unfilled_"  # + a field's key: its parameters without a value (said at the field)
EXPLORATION = "exploration"


def _mark(mark: str) -> str:
    if not mark:
        return ""
    word, _sep, n = mark.partition(" ")
    return _(MARKS[word]).format(n=n)


def _side_by_side(d: pg.ListDiff, catalog: ItemCatalog) -> None:
    """The user's list before and after the rules, each as the grid's product table (picture,
    name, price, category, ID) with what changed at each position."""
    before, after = d.marks()
    for col, side, title, items, marks, header in zip(
        st.columns(2),
        ("before", "after"),
        (_("Before"), _("After")),
        (d.before, d.after),
        (before, after),
        (_("change (before)"), _("change (after)")),
        strict=True,
    ):
        with col:
            st.caption(title)
            show_products(
                list(items),
                catalog,
                f"pg_{side}_{d.user}",
                ranked=True,
                extra={header: [_mark(m) for m in marks]},
            )


def _expression_fields(
    label: str, values_label: str, key: str, placeholder: str, problems: dict[str, str]
) -> tuple[str, dict[str, list[str]]]:
    """An expression and its parameters; a parameter line that does not parse is noted in
    ``problems`` under ``key``, a ``$NAME`` of the expression without a value under
    ``UNFILLED + key`` (and said at the field)."""
    expr = st.text_area(_(label), key=f"pg_{key}", height=80, placeholder=placeholder).strip()
    text = st.text_area(_(values_label), key=f"pg_{key}_values", height=68)
    try:
        values = pg.parse_values(text)
    except ValueError as err:
        problems[key] = str(err)
        return expr, {}
    unfilled = unfilled_parameters(expr, values) if expr else []
    if unfilled:
        problems[UNFILLED + key] = ", ".join(f"${name}" for name in unfilled)
        st.warning(
            _(
                "No value for {names}: give each one in the parameters above (NAME = value). "
                "Personalize skips the part of the expression whose parameter has no value, "
                "so the preview would show it changing nothing."
            ).format(names=md_escape(problems[UNFILLED + key])),
            icon=":material/warning:",
        )
    return expr, values


def _rules_inputs(explores: bool) -> tuple[InlineRules, dict[str, str], str, int]:
    """The typed rules; returns them, each field's parameter error, the promotion expression
    and its percentage."""
    problems: dict[str, str] = {}
    left, right = st.columns(2)
    with left:
        expr, values = _expression_fields(
            N_("Filter expression"),
            N_("Filter parameters (one per line: NAME = value, value)"),
            FILTER,
            # the grammar is Personalize's; the example's value is the reader's language
            _("EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"),
            problems,
        )
    with right:
        promo, promo_values = _expression_fields(
            N_("Promotion: filter expression of the promoted items"),
            N_("Promotion parameters (one per line: NAME = value, value)"),
            PROMOTION,
            _('INCLUDE ItemID WHERE Items.CATEGORY IN ("sale")'),
            problems,
        )
        percent = int(st.slider(_("Share of the list promoted (%)"), 1, 100, 20, key="pg_percent"))
    exploration = None
    if explores and st.toggle(_("Try other exploration settings"), key="pg_explore"):
        c1, c2 = st.columns(2)
        weight = c1.slider(_("Exploration weight"), 0.0, 1.0, 0.3, 0.05, key="pg_weight")
        age = c2.number_input(
            _("Exploration item age cut-off (days)"), 1.0, 3650.0, 30.0, key="pg_age"
        )
        exploration = pg.exploration_settings(weight, age)
    rules = InlineRules(
        filter_expression=expr or None,
        filter_values=pg.filter_values(values),
        promotion_expression=promo or None,
        promotion_values=pg.filter_values(promo_values),
        percent=percent,
        exploration=exploration,
    )
    return rules, problems, promo, percent


def _save_filter_dialog(group_arn: str, expression: str, where: str) -> None:
    def confirm() -> None:
        name = st.text_input(_("Filter name"), key=f"pg_name_{where}").strip()
        if confirmed(CONFIRM_KEY, f"pg_{where}", _("Create the filter")):
            if not name:
                st.error(_("Give the filter a name."))
                return
            arn = run_action(
                "create_filter",
                name,
                {"dataset_group_arn": group_arn, "filter_expression": expression},
                lambda: deps.service().create_filter(name, group_arn, expression),
                failure=_("Could not create the filter"),
            )
            if arn:
                st.session_state.setdefault(SAVED_KEY, {})[expression] = arn
                st.session_state.pop(CONFIRM_KEY, None)
                st.rerun()

    what = _(
        "This creates a filter in the dataset group. Shoppers see no change until "
        "the shop sends its ARN with GetRecommendations."
    )
    dialog(_("Save the filter"), what, expression, None, confirm)


def _save_button(group_arn: str, expression: str, where: str, label: str) -> None:
    """The save button and, once pressed by an operator, its confirmation dialog (kept open
    across reruns until it is confirmed or cancelled)."""
    saved = st.session_state.get(SAVED_KEY, {}).get(expression)
    if saved:
        st.caption(_("Saved as {arn}").format(arn=md_escape(saved)))
        return
    reason = identity.refusal()
    if st.button(label, key=f"pg_save_{where}", disabled=reason is not None, help=reason):
        if identity.permit("create_filter", None, {"filter_expression": expression}):
            st.session_state[CONFIRM_KEY] = where
    if st.session_state.get(CONFIRM_KEY) == where:
        _save_filter_dialog(group_arn, expression, where)


def playground(
    group_arn: str,
    campaigns: Sequence[CampaignInfo],
    default_users: Sequence[str],
    top_n: int,
    catalog: ItemCatalog,
    known_users: Collection[str] | None = None,
) -> None:
    """Preview a filter and a promotion for a few users of one campaign, then save them.

    ``campaigns``: campaigns answering GetRecommendations for a user; ``default_users``: the
    page's sampled users (the first three are offered); ``known_users``: the users of the
    interactions data (None without it), so a customer the model never saw is said to get
    the fallback items."""
    st.subheader(_("Try a rule before it goes live"))
    st.caption(
        _(
            "Preview a filter, a promotion or exploration settings as these customers would "
            "see them. Nothing reaches shoppers: the preview creates no filter and changes no "
            "campaign."
        )
    )
    campaigns = [c for c in campaigns if not c.is_recommender]
    if not campaigns:
        st.info(_("No campaign recommends for users in this group yet."))
        return
    labels = [c.label for c in campaigns]
    campaign = campaigns[labels.index(st.selectbox(_("Campaign"), labels, key="pg_campaign"))]
    users = parse_ids(
        st.text_area(
            _("Customers (user IDs, one per line)"),
            value="\n".join(default_users[:3]),
            key="pg_users",
            height=90,
        )
    )
    local = deps.settings().is_local
    if not local:
        st.info(
            _(
                "On AWS a filter must exist to be applied: save the expression (operators), "
                "then pick the saved filter to preview it."
            )
        )
    rules, problems, promo, percent = _rules_inputs(pg.explores(campaign.recipe))
    for where in (FILTER, PROMOTION):
        if where in problems:
            st.error(md_escape(problems[where]))
    if not users:
        st.caption(_("Give at least one user ID."))
        return
    if local:
        arns: dict[str, str | None] = {}
        lists: Lists | None = None
        if not problems:
            lists = _local_lists(campaign, users, top_n, rules)
        elif not set(problems) - {UNFILLED + FILTER, UNFILLED + PROMOTION}:
            _checked_only(group_arn, rules)  # no preview, but the expression's own faults
    else:
        arns = _saved_filter_pickers(group_arn)
        lists = _served_lists(campaign, users, top_n, rules, arns, percent)
    if lists is not None:
        _draw(users, *lists, catalog, known_users, _unchanged_why(campaign, rules))
    if rules.filter_expression:
        _save_button(group_arn, rules.filter_expression, FILTER, _("Save the filter…"))
    if rules.promotion_expression:
        _save_button(
            group_arn, rules.promotion_expression, PROMOTION, _("Save the promotion's filter…")
        )
    saved = st.session_state.get(SAVED_KEY, {})
    typed = rules.filter_expression
    filter_arn = arns.get(FILTER) or (saved.get(typed) if typed else None)
    promo_arn = arns.get(PROMOTION) or (saved.get(promo) if promo else None)
    if (rules.filter_expression and not filter_arn) or (promo and not promo_arn):
        st.caption(_("Save the filters to see the GetRecommendations parameters to send."))
    elif filter_arn or promo_arn:
        _parameters(campaign, top_n, filter_arn, rules, promo_arn, percent)
    if rules.exploration is not None:
        _apply_exploration(campaign, rules.exploration)


Lists = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, dict[str, list[str]]]]


def _local_lists(
    campaign: CampaignInfo, users: list[str], top_n: int, rules: InlineRules
) -> Lists | None:
    """Before, after and each rule alone, from the local engine with the rules inline."""
    if not (rules.filter_expression or rules.promotion_expression or rules.exploration):
        st.caption(_("Type a filter or a promotion to see what it changes."))
        return None
    settings = deps.settings()
    try:
        before = preview_lists(settings, campaign.arn, users, top_n, InlineRules())
        after = preview_lists(settings, campaign.arn, users, top_n, rules)
        singles = {
            name: preview_lists(settings, campaign.arn, users, top_n, rule)
            for name, rule in _single_rules(rules).items()
        }
    except ExpressionRefused as err:
        _refused(err)
        return None
    except ServiceError as err:
        with shown_errors(_("Preview")):
            raise err
        return None
    return before, after, singles


def _refused(err: ExpressionRefused) -> None:
    """The engine's CreateFilter text, named by the field it is about."""
    label = _("Filter expression") if err.field == FILTER else _("Promotion")
    st.error(f"{label}: {md_escape(err.message)}", icon=":material/error:")


def _checked_only(group_arn: str, rules: InlineRules) -> None:
    """No preview while a parameter has no value (said at its field), but an expression the
    engine refuses still gets CreateFilter's text, as the preview would give it."""
    try:
        for where, expression in (
            ("filter", rules.filter_expression),
            ("promotion", rules.promotion_expression),
        ):
            if expression:
                check_expression(deps.settings(), group_arn, expression, where)
    except ExpressionRefused as err:
        _refused(err)


def _saved_filter_pickers(group_arn: str) -> dict[str, str | None]:
    """The saved ACTIVE filters to preview with on AWS: filter and promotion ARNs (or None)."""
    filters = reads.active_filters(group_arn) or []
    if not filters:
        st.caption(_("No ACTIVE filter in this group yet."))
        return {}
    by_arn = {f.arn: f.name for f in filters}
    options: list[str | None] = [None, *by_arn]
    left, right = st.columns(2)
    return {
        where: col.selectbox(
            _(label),
            options,
            format_func=lambda arn: by_arn[arn] if arn else _("(none)"),
            key=f"pg_saved_{where}",
        )
        for where, col, label in (
            (FILTER, left, N_("Preview with a saved filter")),
            (PROMOTION, right, N_("Promote items of a saved filter")),
        )
    }


def _served_lists(
    campaign: CampaignInfo,
    users: list[str],
    top_n: int,
    rules: InlineRules,
    arns: dict[str, str | None],
    percent: int,
) -> Lists | None:
    """Before, after and each rule alone, as GetRecommendations answers with saved filters."""
    filter_arn, promo_arn = arns.get(FILTER), arns.get(PROMOTION)
    if not (filter_arn or promo_arn):
        return None
    promotions = (
        [pg.promotion("promotion", percent, promo_arn, rules.promotion_values)] if promo_arn else []
    )
    svc = deps.service()
    with shown_errors(_("Preview")):
        before = pg.served_lists(svc, campaign.arn, users, top_n)
        after = pg.served_lists(
            svc,
            campaign.arn,
            users,
            top_n,
            filter_arn=filter_arn,
            values=rules.filter_values,
            promotions=promotions,
        )
        singles = {}
        if filter_arn:
            singles[RULE_NAMES[FILTER]] = pg.served_lists(
                svc, campaign.arn, users, top_n, filter_arn=filter_arn, values=rules.filter_values
            )
        if promotions:
            singles[RULE_NAMES[PROMOTION]] = pg.served_lists(
                svc, campaign.arn, users, top_n, promotions=promotions
            )
        return before, after, singles
    return None


def _draw(
    users: list[str],
    before: dict[str, list[str]],
    after: dict[str, list[str]],
    singles: dict[str, dict[str, list[str]]],
    catalog: ItemCatalog,
    known_users: Collection[str] | None,
    why: dict[str, str] | None = None,
) -> None:
    """The share each rule changed (with ``why``: rule name -> why it changes nothing, said
    when it does not), then each user's lists side by side; a user not in the interactions
    gets Personalize's popular-items fallback, said above the lists."""
    shares = []
    for name, lists in singles.items():
        changed = pg.share_changed([pg.diff(u, before[u], lists[u]) for u in users])
        text = _("{rule}: {share} of the list changed").format(
            rule=_(name), share=formats.share(changed)
        )
        if not changed and (why or {}).get(name):
            text += " — " + md_escape((why or {})[name])
        shares.append(text)
    st.markdown(" · ".join(shares))
    for d in (pg.diff(u, before[u], after[u]) for u in users):
        st.markdown(
            _("**{user}**: {entered} entered, {left} left, {moved} moved").format(
                user=md_escape(d.user),
                entered=len(d.entered),
                left=len(d.left),
                moved=len(d.moved),
            )
        )
        if known_users is not None and d.user not in known_users:
            st.info(
                _(
                    "{user} is unknown to the model: these are the fallback (popular) items, "
                    "the same for every customer it does not know."
                ).format(user=md_escape(d.user)),
                icon=":material/person_off:",
            )
        _side_by_side(d, catalog)


def _unchanged_why(campaign: CampaignInfo, rules: InlineRules) -> dict[str, str]:
    """Why a rule may change nothing, by rule name: exploration settings that are the ones the
    campaign already serves with (its own, or Personalize's defaults 0.3 / 30 days)."""
    if rules.exploration is None:
        return {}
    with shown_errors(_("Could not read the campaign")):
        weight, age = pg.current_exploration(deps.service().describe_campaign(campaign.arn).config)
        tried = rules.exploration
        if (float(tried["explorationWeight"]), float(tried["explorationItemAgeCutOff"])) == (
            weight,
            age,
        ):
            return {
                RULE_NAMES[EXPLORATION]: _(
                    "these are the settings the campaign already serves with (weight {weight}, "
                    "cut-off {days} days; Personalize's defaults when none are set), so the "
                    "list is the one shoppers get now"
                ).format(weight=f"{weight:g}", days=f"{age:g}")
            }
    return {}


def _apply_exploration(campaign: CampaignInfo, settings: dict[str, str]) -> None:
    """UpdateCampaign with the tried exploration settings, after an operator confirms."""
    reason = identity.refusal()
    if st.button(
        _("Apply these exploration settings to the campaign…"),
        key="pg_apply_exploration",
        disabled=reason is not None,
        help=reason,
    ):
        if identity.permit("update_campaign", campaign.arn, {"itemExplorationConfig": settings}):
            st.session_state[CONFIRM_KEY] = EXPLORATION
    if st.session_state.get(CONFIRM_KEY) == EXPLORATION:
        _exploration_dialog(campaign, settings)


def _exploration_dialog(campaign: CampaignInfo, settings: dict[str, str]) -> None:
    def confirm() -> None:
        if confirmed(CONFIRM_KEY, "pg_exploration", _("Apply to the campaign")):
            svc = deps.service()

            def update() -> str:
                current = pg.config_as_sent(svc.describe_campaign(campaign.arn).config)
                weight = float(settings["explorationWeight"])
                age = float(settings["explorationItemAgeCutOff"])
                return svc.update_campaign_config(
                    campaign.arn, pg.exploration_config(current, weight, age)
                )

            done = run_action(
                "update_campaign",
                campaign.arn,
                {"itemExplorationConfig": settings},
                update,
                failure=_("Could not update the campaign"),
            )
            if done:
                st.session_state.pop(CONFIRM_KEY, None)
                st.rerun()

    what = _(
        "UpdateCampaign changes {campaign}'s exploration: once the update is ACTIVE, "
        "every shopper's recommendations use it."
    ).format(campaign=md_escape(campaign.name))
    request = pg.as_json({"itemExplorationConfig": settings})
    dialog(_("Apply exploration settings"), what, request, "json", confirm)


RULE_NAMES = {FILTER: N_("Filter"), PROMOTION: N_("Promotion"), EXPLORATION: N_("Exploration")}


def _single_rules(rules: InlineRules) -> dict[str, InlineRules]:
    out = {}
    if rules.filter_expression:
        out[RULE_NAMES[FILTER]] = InlineRules(
            filter_expression=rules.filter_expression, filter_values=rules.filter_values
        )
    if rules.promotion_expression:
        out[RULE_NAMES[PROMOTION]] = InlineRules(
            promotion_expression=rules.promotion_expression,
            promotion_values=rules.promotion_values,
            percent=rules.percent,
        )
    if rules.exploration is not None:
        out[RULE_NAMES[EXPLORATION]] = InlineRules(exploration=rules.exploration)
    return out


def _parameters(
    campaign: CampaignInfo,
    top_n: int,
    filter_arn: str | None,
    rules: InlineRules,
    promo_arn: str | None,
    percent: int,
) -> None:
    """The GetRecommendations parameters a shop backend sends, as JSON."""
    promotions = []
    if promo_arn:
        promotions = [pg.promotion("promotion", percent, promo_arn, rules.promotion_values)]
    params = pg.request_parameters(
        campaign.arn,
        top_n,
        filter_arn=filter_arn,
        values=rules.filter_values,
        promotions=promotions,
    )
    st.markdown(_("GetRecommendations parameters for the shop's backend:"))
    st.code(pg.as_json(params), language="json")
