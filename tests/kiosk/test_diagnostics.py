"""``kiosk.diagnostics``: the ``--print-config`` listing and where each value came from, the
sync line of ``--self-test`` with sync off, and the message when the kiosk cannot start."""

from __future__ import annotations

from kiosk.config import DEMO, KEYS, load_config_file
from kiosk.diagnostics import cannot_start, check_sync, describe


def test_describe_lists_every_declared_key_once(write_config):
    config = load_config_file(
        write_config('[sync]\nserver_url = "https://feedback.example.nhs.uk"\n')
    )
    lines = describe(config)
    for section, keys in KEYS.items():
        assert lines.count(f"[{section}]") == 1
        for key in keys:
            assert sum(line.startswith(f"{key} = ") for line in lines) == 1, key


def test_describe_says_where_each_value_came_from(write_config):
    path = write_config("[kiosk]\nthanks_seconds = 8\n")
    lines = describe(load_config_file(path), {("survey", "languages")})
    assert f"thanks_seconds = 8    # {path}" in lines
    assert 'languages = ["en", "cy", "ur"]    # ward-settings.json (changed by staff)' in lines
    assert "fullscreen = true    # default" in lines
    assert "[sync]" not in lines  # sync is off: nothing to show


def test_the_demo_ward_says_it_is_built_in():
    lines = describe(DEMO)
    assert 'ward_name = "Demo ward"    # built-in demo ward' in lines
    assert 'timezone = "Europe/London"    # built-in demo ward' in lines


def test_a_config_file_changed_since_loading_shows_defaults(write_config):
    path = write_config("[kiosk]\nthanks_seconds = 8\n")
    config = load_config_file(path)
    path.write_bytes(b"\xff not toml")
    assert "thanks_seconds = 8    # default" in describe(config)


def test_self_test_with_sync_off_says_answers_stay_here(tmp_path):
    assert check_sync(DEMO, tmp_path) == [(True, "not configured: answers stay on this kiosk")]


def test_cannot_start_says_how_to_see_every_problem(capsys):
    assert cannot_start(ValueError("the data dir is full")) == 2
    assert capsys.readouterr().err == (
        "ward-kiosk cannot start: the data dir is full\n"
        "Run `python -m kiosk --check` to see every problem.\n"
    )
