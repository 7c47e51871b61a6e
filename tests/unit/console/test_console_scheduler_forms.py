"""The admin forms' plumbing without a stack: a 422's errors land on the field that holds
them, and an approval policy survives the trip to the form and back."""

from __future__ import annotations

import httpx

from ensemble_console.clients.base import ApiError
from ensemble_console.models.scheduler import Policy
from ensemble_console.web.form_errors import form_errors
from ensemble_console.web.policy_form import compacted, field_names, policy_body, policy_values


def refused(*errors: tuple[list[object], str]) -> ApiError:
    """An ApiError read from a 422 shaped as every service answers one."""
    detail = [{"loc": loc, "msg": msg, "type": "value_error"} for loc, msg in errors]
    body = {"error": "validation_error", "message": "…", "detail": detail}
    return ApiError.of("scheduler", httpx.Response(422, json=body))


def test_each_error_lands_on_the_field_that_holds_it_and_the_rest_above_the_form() -> None:
    exc = refused(
        (["body", "steps", 0, "people", 1], "String should match pattern"),
        (["body"], "Value error, secret: a webhook channel needs a whsec_ secret"),
        (["body", "steps", 1, "backup"], "Value error, backup: name at least one person"),
        (["body", "steps", 1], "Value error, step 'legal': name at least one approver"),
        (["body", "mystery"], "Extra inputs are not permitted"),
    )
    errors = form_errors(exc, [*field_names(2), "secret"])
    assert errors.get("steps.0.people") == "String should match pattern"
    assert errors.get("secret") == "a webhook channel needs a whsec_ secret"
    assert errors.get("steps.1.backup") == "name at least one person"
    assert errors.get("steps.1") == "step 'legal': name at least one approver"
    assert errors.general == ("Extra inputs are not permitted",)


def test_an_answer_without_field_errors_is_shown_whole_above_the_form() -> None:
    errors = form_errors(ApiError(422, "invalid", "the body is not JSON"), ["name"])
    assert (errors.fields, errors.general) == ({}, ("the body is not JSON",))


def test_a_policy_goes_to_the_form_and_back_unchanged() -> None:
    policy = Policy.model_validate(
        {
            "name": "standard",
            "priority": 20,
            "description": "Replies to angry mentions",
            "when": {"kinds": ["reply"], "sentiments": ["negative"]},
            "deadlines": {
                "sla_minutes": 90,
                "remind_before_minutes": [30],
                "on_missed_slot": "expire",
            },
            "allow_self_approval": True,
            "steps": [
                {"name": "review", "teams": ["communication"], "quorum": 1},
                {
                    "name": "legal",
                    "people": ["lea", "leo"],
                    "external": [{"id": "counsel", "name": "Outside Counsel"}],
                    "quorum": "all",
                    "owns": ["body"],
                    "sla_minutes": 60,
                    "backup": {"roles": ["admin"]},
                },
            ],
        }
    )
    values = policy_values(policy)
    # The second step typed two rows lower: the empty rows between are no steps.
    moved = {k.replace("steps.1.", "steps.3.", 1): v for k, v in values.items() if "steps.1." in k}
    values = {k: v for k, v in values.items() if "steps.1." not in k} | moved
    body = policy_body(compacted(values))
    assert [s["name"] for s in body["steps"]] == ["review", "legal"]
    review, legal = body["steps"]
    assert legal == {
        "name": "legal",
        "quorum": "all",
        "people": ["lea", "leo"],
        "teams": [],
        "roles": [],
        "owns": ["body"],
        "sla_minutes": "60",
        "external": [{"id": "counsel", "name": "Outside Counsel", "email": None}],
        "backup": {"people": [], "teams": [], "roles": ["admin"]},
    }
    assert (review["teams"], review["quorum"]) == (["communication"], "1")
    assert body["when"]["sentiments"] == ["negative"]
    assert body["deadlines"] == {
        "sla_minutes": "90",
        "remind_before_minutes": ["30"],
        "on_missed_slot": "expire",
    }
    assert (body["priority"], body["allow_self_approval"]) == ("20", True)
