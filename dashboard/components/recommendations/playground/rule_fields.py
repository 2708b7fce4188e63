"""The rule playground's inputs: a filter and a promotion, each an expression with its
parameters, the promotion's share, and (for recipes that explore) exploration settings.

A parameter line that does not parse, a ``$NAME`` of an expression without a value, or an
expression whose fault can be said before any call (an unquoted list value,
``pg.expression_problem``) is a problem said at its field; the caller previews nothing, and
offers no save, while there is one.
"""

from __future__ import annotations

import streamlit as st

from dashboard import deps
from dashboard.components.text import md_escape
from services.datasets.local_engine.preview import (
    ExpressionRefused,
    InlineRules,
    check_expression,
    unfilled_parameters,
)
from services.evaluation import playground as pg
from services.i18n import N_, _

FILTER, PROMOTION = "filter", "promo"  # also the keys of their fields
EXPLORATION = "exploration"
UNFILLED = "unfilled_"  # + a field's key: its parameters without a value (said at the field)
INVALID = "invalid_"  # + a field's key: why its expression cannot be saved (said at the field)
RULE_NAMES = {FILTER: N_("Filter"), PROMOTION: N_("Promotion"), EXPLORATION: N_("Exploration")}
# how an engine's refusal names the field it is about
FIELD_NAMES = {FILTER: N_("Filter expression"), PROMOTION: N_("Promotion")}

# Each expression field, in its column: key, label, parameters label, example. The grammar of
# the example is Personalize's; its value is in the reader's language (a catalogue string).
_EXPRESSION_FIELDS = (
    (
        FILTER,
        N_("Filter expression"),
        N_("Filter parameters (one per line: NAME = value, value)"),
        N_("EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"),
    ),
    (
        PROMOTION,
        N_("Promotion: filter expression of the promoted items"),
        N_("Promotion parameters (one per line: NAME = value, value)"),
        N_('INCLUDE ItemID WHERE Items.CATEGORY IN ("sale")'),
    ),
)


def engine_problem(group_arn: str | None, expression: str, key: str) -> str | None:
    """Why the local engine's CreateFilter would refuse ``expression`` in ``group_arn``
    (its text), None when it takes it or on AWS (``group_arn``
    None: the filter is checked when it is saved). The one check for both fields."""
    if group_arn is None:
        return None
    try:
        check_expression(deps.settings(), group_arn, expression, key)
    except ExpressionRefused as err:
        return err.message
    return None


def _expression_field(
    label: str,
    values_label: str,
    key: str,
    placeholder: str,
    problems: dict[str, str],
    group_arn: str | None,
) -> tuple[str, dict[str, list[str]]]:
    """An expression and its parameters; a parameter line that does not parse is noted in
    ``problems`` under ``key``, a ``$NAME`` of the expression without a value under
    ``UNFILLED + key``, an expression fault said before any call, else the engine's
    refusal (``engine_problem``), under ``INVALID + key`` (both said at the field)."""
    expr = st.text_area(_(label), key=f"pg_{key}", height=80, placeholder=placeholder).strip()
    invalid = pg.expression_problem(expr) if expr else None
    if invalid is not None:
        problems[INVALID + key] = invalid
        st.error(md_escape(invalid), icon=":material/error:")
    elif expr and (refused := engine_problem(group_arn, expr, key)) is not None:
        problems[INVALID + key] = refused
        # named by its field, as the engine's text does not say which rule it is about
        st.error(f"{_(FIELD_NAMES[key])}: {md_escape(refused)}", icon=":material/error:")
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


def typed_rules(
    explores: bool, group_arn: str | None
) -> tuple[InlineRules, dict[str, str], str, int]:
    """The typed rules (exploration settings offered when ``explores``; expressions checked
    by the local engine against ``group_arn``'s schemas, None on AWS); returns them, each
    field's problem (keyed as ``_expression_field`` notes it), the promotion expression and
    its percentage."""
    problems: dict[str, str] = {}
    columns = st.columns(2)
    typed: dict[str, tuple[str, dict[str, list[str]]]] = {}
    for column, (key, label, values_label, example) in zip(
        columns, _EXPRESSION_FIELDS, strict=True
    ):
        with column:
            typed[key] = _expression_field(
                label, values_label, key, _(example), problems, group_arn
            )
    (expr, values), (promo, promo_values) = typed[FILTER], typed[PROMOTION]
    with columns[1]:  # under the promotion's fields
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
