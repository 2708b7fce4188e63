"""The nouns a page uses for what answers recommendations in a group: "campaign" (and its
recipe), "recommender" (and its use case), or both, as ``services.workspace.serving`` says the
group serves. Texts are marked with ``N_`` and translated where they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from services.i18n import N_
from services.workspace.serving import Serves


@dataclass(frozen=True)
class Words:
    """One kind of source's words: ``one``/``two`` name the Recommendations modes, ``source``
    the pick of one, ``source_a``/``source_b`` the two picks of a comparison, ``none`` what to
    do when nothing answers yet, ``needs_two`` why a link's comparison is not offered
    (``{count}``: how many the group has, fewer than two)."""

    one: str
    two: str
    source: str
    source_a: str
    source_b: str
    none: str
    needs_two: str


WORDS = {
    Serves.CAMPAIGNS: Words(
        N_("One campaign"),
        N_("Compare two campaigns"),
        N_("Campaign"),
        N_("Campaign A"),
        N_("Campaign B"),
        N_(
            "No campaign and no trained version yet: train a solution version and deploy it on "
            "Operations, then come back to see its recommendations."
        ),
        N_(
            "Comparing needs two campaigns that recommend for users, and this group has "
            "{count}: deploy another version on Operations to compare them here."
        ),
    ),
    Serves.RECOMMENDERS: Words(
        N_("One recommender"),
        N_("Compare two recommenders"),
        N_("Recommender"),
        N_("Recommender A"),
        N_("Recommender B"),
        N_(
            "No ACTIVE recommender yet: create one for a use case of this domain (or start a "
            "stopped one), then come back to see its recommendations."
        ),
        N_(
            "Comparing needs two recommenders that recommend for users, and this group has "
            "{count}: create another for a use case of this domain to compare them here."
        ),
    ),
    Serves.BOTH: Words(
        N_("One campaign or recommender"),
        N_("Compare two campaigns or recommenders"),
        N_("Campaign or recommender"),
        N_("Campaign or recommender A"),
        N_("Campaign or recommender B"),
        N_(
            "No ACTIVE campaign or recommender and no trained version yet: deploy a version on "
            "Operations or start a recommender, then come back to see its recommendations."
        ),
        N_(
            "Comparing needs two campaigns or recommenders that recommend for users, and this "
            "group has {count}: deploy another version on Operations to compare them here."
        ),
    ),
}
