"""Which tests share a pytest-xdist worker: the users of one session stack, the fault tests."""

from __future__ import annotations

from ensemble_devtools.pytest_plugin import group_of


def test_tests_of_one_shared_stack_or_of_the_faults_share_a_group() -> None:
    assert group_of("tests/faults/test_kill_notify.py::test_x") == "faults"
    assert group_of("tests/e2e/test_console_inbox_browser.py::test_y[fr]") == "console_stack"
    assert group_of("tests/component/console/test_console_sources.py::test_z") == "ops"


def test_any_other_test_runs_with_its_module_whose_fixtures_it_may_share() -> None:
    module = "tests/component/notify/test_notify_delivery.py"
    assert group_of(f"{module}::test_w") == module
    assert group_of(f"{module}::test_v[fr]") == module
    assert group_of("tests/component/console/test_console_portal_me.py::test_a") != module
