"""Tags in the setup file: checked like botocore's Tag shapes, given to Create*, read back with
ListTagsForResource, and a change planned field by field (``tags.<key>``) and applied with
TagResource/UntagResource; a resource whose ``tags`` the file leaves out keeps its own."""

from __future__ import annotations

import pytest

from services.personalize.clients import Clients
from services.setup_file.export import to_toml
from services.setup_file.model import SetupFileError
from services.setup_file.plan import make_plan
from services.setup_file.reading import parse
from services.setup_file.state import read_account
from tests.setup_file.test_apply import PRICES, apply_text, pending
from tests.setup_file.test_bad_files import GOOD


def problems(text: str) -> list[str]:
    with pytest.raises(SetupFileError) as caught:
        parse(text)
    return caught.value.problems


def test_tags_are_checked_like_the_tag_shapes() -> None:
    group = 'name = "g"\n'
    assert problems(GOOD.replace(group, group + 'tags = { "aws:owner" = "me" }\n', 1)) == [
        "dataset_groups[0].tags: tag 'aws:owner': a key beginning with 'aws:' is reserved for AWS"
    ]
    assert problems(GOOD.replace(group, group + 'tags = { team = "a;b" }\n', 1)) == [
        "dataset_groups[0].tags: tag 'team': in its value, ';' is not allowed (letters, "
        "numbers, spaces and _ . : / = + - @)"
    ]
    many = ", ".join(f'k{n} = "v"' for n in range(51))
    assert problems(GOOD.replace(group, group + f"tags = {{ {many} }}\n", 1)) == [
        "dataset_groups[0].tags: 51 tags; a resource can carry at most 50"
    ]
    assert problems(GOOD.replace(group, group + "tags = { team = 5 }\n", 1)) == [
        "dataset_groups[0].tags.team: must be a valid string"
    ]
    # schemas and metric attributions take no tags (CreateSchema and CreateMetricAttribution
    # have no tags member): the field is unknown there
    schema = 'name = "s"\n'
    assert problems(GOOD.replace(schema, schema + 'tags = { a = "b" }\n', 1)) == [
        "schemas[0].tags: unknown field"
    ]
    # Hangul and spaces are letters and separators: allowed
    ok = parse(GOOD.replace(group, group + 'tags = { "담당 팀" = "추천: 1/2" }\n', 1))
    assert ok.dataset_groups[0].tags == {"담당 팀": "추천: 1/2"}


def _tags(clients: Clients, arn: str) -> dict[str, str]:
    found = clients.personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    return {t["tagKey"]: t["tagValue"] for t in found}


def test_tags_are_created_read_back_changed_and_left_alone_when_unsaid(
    small_shop: Clients,
) -> None:
    p = small_shop.personalize
    text = to_toml(read_account(p).setup)
    assert "tags" not in text  # nothing tagged yet: export says nothing
    # the group (made before) is tagged outside the file; the file never says its tags
    group = p.list_dataset_groups()["datasetGroups"][0]["datasetGroupArn"]
    p.tag_resource(resourceArn=group, tags=[{"tagKey": "owner", "tagValue": "ops"}])
    text += '\n[[filters]]\nname = "tagged"\ndataset_group = "shop"\n'
    text += "expression = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"view\")'\n"
    text += 'tags = { team = "shop", "cost-centre" = "42" }\n'
    assert apply_text(small_shop, text) == ["filters/tagged"]
    arn = next(f["filterArn"] for f in p.list_filters()["Filters"] if f["name"] == "tagged")
    assert _tags(small_shop, arn) == {"team": "shop", "cost-centre": "42"}
    assert pending(small_shop, text) == []  # the group's own tag is not the file's business
    exported = to_toml(read_account(p).setup)
    assert 'tags = { team = "shop", cost-centre = "42" }' in exported
    assert 'tags = { owner = "ops" }' in exported  # export writes every resource's tags
    assert pending(small_shop, exported) == []
    # one tag changed, one removed, one added: an update, each tag a field
    changed = text.replace(
        'tags = { team = "shop", "cost-centre" = "42" }', 'tags = { team = "ads", env = "prod" }'
    )
    (change,) = make_plan(parse(changed), read_account(p), PRICES).pending
    assert (change.label, change.action) == ("filters/tagged", "update")
    assert [(f.field, f.current, f.wanted) for f in change.fields] == [
        ("tags.cost-centre", "42", None),
        ("tags.env", None, "prod"),
        ("tags.team", "shop", "ads"),
    ]
    assert apply_text(small_shop, changed) == ["filters/tagged"]
    assert _tags(small_shop, arn) == {"team": "ads", "env": "prod"}
    assert pending(small_shop, changed) == []
    # an empty table manages the tags too: it removes them all
    bare = changed.replace('tags = { team = "ads", env = "prod" }', "tags = {}")
    assert apply_text(small_shop, bare) == ["filters/tagged"]
    assert _tags(small_shop, arn) == {}
    assert _tags(small_shop, group) == {"owner": "ops"}
