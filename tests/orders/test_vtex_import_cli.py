"""`manage.py vtex_import` refuses bad dates as argparse does: one line, exit status 2."""

import io
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone


def days_from_today(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def refusals() -> list:
    """(arguments, what the error says), dates relative to today."""
    today = timezone.localdate()
    too_old = days_from_today(-2 * 366 - 1)
    return [
        pytest.param(
            ["--since", "garbage"], "argument --since: 'garbage' is not a date", id="garbage"
        ),
        pytest.param(
            ["--since", "2026-13-45"],
            "argument --since: '2026-13-45' is not a date",
            id="no-such-day",
        ),
        pytest.param(
            ["--since", "20261001"], "'20261001' is not a date (YYYY-MM-DD)", id="not-iso"
        ),
        pytest.param(
            ["--since", "2026-01-01", "--until", "2026-02-30"],
            "argument --until: '2026-02-30' is not a date",
            id="bad-until",
        ),
        pytest.param(
            ["--since", "9999-12-31", "--until", "9999-12-31"],
            "--since 9999-12-31 is in the future",
            id="year-9999",
        ),
        pytest.param(
            ["--since", days_from_today(-1), "--until", days_from_today(1)],
            f"--until {days_from_today(1)} is in the future (today is {today})",
            id="until-tomorrow",
        ),
        pytest.param(
            ["--since", days_from_today(-1), "--until", days_from_today(-2)],
            f"--since must come before --until, or be the same day ({days_from_today(-1)} is "
            f"after {days_from_today(-2)})",
            id="since-after-until",
        ),
        pytest.param(
            ["--since", too_old],
            f"--since {too_old} is more than 2 years ago",
            id="beyond-vtex-retention",
        ),
    ]


@pytest.mark.parametrize(("args", "message"), refusals())
@pytest.mark.django_db
def test_call_command_refuses_bad_dates_before_asking_vtex(vtex_sandbox, args, message):
    with pytest.raises(CommandError) as refused:
        call_command("vtex_import", "--backfill", *args, stdout=io.StringIO())

    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert vtex_sandbox.calls() == []


@pytest.mark.django_db(transaction=True)
def test_a_window_of_two_years_up_to_today_is_accepted(vtex_sandbox):
    out = io.StringIO()

    call_command(
        "vtex_import",
        "--backfill",
        "--since",
        days_from_today(-730),
        "--until",
        days_from_today(0),
        stdout=out,
    )

    assert "backfill: " in out.getvalue()
    assert vtex_sandbox.calls(path_contains="/api/oms/pvt/orders")


def test_the_retention_floor_is_two_years_back_and_survives_29_february():
    from orders.management.commands.vtex_import import retention_floor

    assert retention_floor(date(2026, 11, 28)) == date(2024, 11, 28)
    assert retention_floor(date(2028, 2, 29)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "garbage"], "argument --since: 'garbage' is not a date (YYYY-MM-DD)"),
        (["--since", "2026-13-45"], "argument --since: '2026-13-45' is not a date"),
        (["--since", "9999-12-31", "--until", "9999-12-31"], "--since 9999-12-31 is in the future"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "--since must come before --until"),
    ],
)
def test_manage_py_answers_one_line_and_exit_status_2_without_a_traceback(args, message):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}

    run = subprocess.run(
        [sys.executable, "manage.py", "vtex_import", "--backfill", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    *usage, error = run.stderr.strip().splitlines()
    assert usage[0].startswith("usage: manage.py vtex_import")
    assert error.startswith("manage.py vtex_import: error: ")
    assert message in error
