"""What IT reads at a terminal: ``--check`` and ``--self-test`` (one line per part of the kiosk,
and a non-zero exit if any is wrong), ``--print-config`` (every effective setting and where it
came from, secrets masked), and the message when the kiosk cannot start.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from kiosk.config import (
    KEYS,
    ConfigError,
    DataDirError,
    KioskConfig,
    default_data_dir,
    load_config,
    parse_toml,
    prepare_data_dir,
    read_config_text,
)
from kiosk.store import LocalStore, StoreError
from kiosk.survey import Survey, SurveyError, load_survey
from kiosk.translations import unoffered_problems, version_problems
from kiosk.versions import EASY_READ_ID, STANDARD_ID


def check(config_path: Path | None, data_dir: Path | None, with_sync: bool = False) -> int:
    """``--check`` (and ``--self-test``, *with_sync*): one line per part, and a non-zero exit
    if any part is wrong. The font check needs a QGuiApplication."""
    problems = 0

    def line(part: str, ok: bool, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        print(f"{part:<9} {'OK  ' if ok else 'FAIL'} {text}")

    config: KioskConfig | None = None
    try:
        config = load_config(config_path)
        where = config.source or "no kiosk.toml found: embedded demo ward"
        loc = config.location
        line("config", True, f"{where}: {loc.ward_name} ({loc.org_code} / {loc.site_code})")
        for warning in config.warnings:
            print(f"{'':<9} WARN {warning}")
    except ConfigError as exc:
        for problem in exc.problems:
            line("config", False, problem)

    survey: Survey | None = None
    if config is not None:
        try:
            survey = load_survey(config.survey.id, config.survey.languages, config.survey.folder)
            names = ", ".join(
                f"{lang.code}{' (draft translation)' if lang.draft else ''}"
                for lang in survey.languages
            )
            line("survey", True, f"{survey.id} version {survey.version}: {names}")
            offered = [lang.code for lang in survey.languages]
            folder = config.survey.folder
            gaps = unoffered_problems(survey.id, offered, folder)
            # The versions the top bar switches to ("Easy read", "For grown-ups").
            for version in dict.fromkeys((EASY_READ_ID, survey.based_on or STANDARD_ID)):
                if version != survey.id:
                    gaps += version_problems(version, folder)
            for gap in gaps:
                line("survey", False, gap)
        except SurveyError as exc:
            line("survey", False, str(exc))

    try:
        data = prepare_data_dir(data_dir)
        store = LocalStore.in_dir(data)
        integrity = store.integrity()
        counts = store.sync_counts()
        store.close()
        line(
            "data dir",
            integrity == "ok",
            f"{data} is writable; {sum(counts.values())} responses "
            f"({counts['pending']} waiting to sync); integrity {integrity}",
        )
    except (DataDirError, StoreError) as exc:
        line("data dir", False, str(exc))

    if survey is not None and config is not None:
        for ok, text in check_fonts(survey, config.location.shown_name):
            line("fonts", ok, text)
    if survey is not None and config is not None:
        for ok, text in check_voices(config, survey):
            if ok:
                line("voices", True, text)
            else:  # no voice only hides "Read aloud"; the kiosk works without it
                print(f"{'voices':<9} WARN {text}")
    if with_sync and config is not None:
        for ok, text in check_sync(config, data_dir):
            line("sync", ok, text)
    return 1 if problems else 0


def check_fonts(survey: Survey, ward: str) -> list[tuple[bool, str]]:
    """Which font really draws each language's strings (their glyph runs, as Qt lays them out
    in the font the screens use): a failure if any glyph comes from a font the kiosk does not
    bundle, or from none, or if the font the survey names draws less than half of them.
    Needs a QGuiApplication."""
    from kiosk.ui.fonts import MISSING, drawn_by, load_fonts

    bundled = load_fonts()
    results = []
    for language in survey.languages:
        code, named = language.code, language.font
        path = language.path or survey.folder / f"{code}.json"
        where = f'set "font" in {path} to the bundled font that draws it'
        if named not in bundled:
            results.append(
                (False, f"{code}: '{named}' is not a bundled font; {where} ({', '.join(bundled)})")
            )
            continue
        counts = drawn_by(survey, code, ward)
        total = sum(counts.values())
        foreign = {family: n for family, n in counts.items() if family not in bundled}
        if foreign:
            shown = ", ".join(
                f"{n} from {'no font at all' if family == MISSING else family}"
                for family, n in sorted(foreign.items())
            )
            results.append(
                (
                    False,
                    f"{code}: {shown}, of {total} glyphs: a kiosk without that font draws boxes "
                    f"or the wrong letters; {where}",
                )
            )
            continue
        drawn = counts[named]
        if drawn * 2 < total:
            main, most = counts.most_common(1)[0]
            results.append(
                (
                    False,
                    f"{code}: the survey names {named}, but it draws only {drawn} of {total} "
                    f"glyphs ({main} draws {most}); {where}",
                )
            )
            continue
        others = "".join(
            f", {n} by {family}" for family, n in counts.most_common() if family != named
        )
        if drawn == total:
            results.append((True, f"{code}: all {total} glyphs drawn by {named}"))
        else:
            results.append((True, f"{code}: {drawn} of {total} glyphs drawn by {named}{others}"))
    return results


def check_voices(config: KioskConfig, survey: Survey) -> list[tuple[bool, str]]:
    """Which engine "Read aloud" speaks through and which installed voices speak each of the
    survey's languages; False for a language with none (its "Read aloud" is hidden). Loads the
    engine, which can take seconds. Needs a QGuiApplication."""
    from kiosk.ui.speech import list_voices

    setting = config.accessibility.speech_engine
    engine, found = list_voices(setting, [language.code for language in survey.languages])
    install = (
        "on Linux install speech-dispatcher and espeak-ng; on Windows add the language's "
        "voice in Settings > Time & language > Speech"
    )
    if not engine:
        return [(False, f'no "{setting}" speech engine here: "Read aloud" is hidden; {install}')]
    results = []
    for language in survey.languages:
        if language.code in found:
            locale, voices = found[language.code]
            shown = ", ".join(voices[:3]) + (
                f" and {len(voices) - 3} more" if len(voices) > 3 else ""
            )
            results.append((True, f"{language.code}: {engine} speaks it as {locale} ({shown})"))
        else:
            results.append(
                (False, f'{language.code}: no {engine} voice: "Read aloud" is hidden; {install}')
            )
    return results


def check_sync(config: KioskConfig, data_dir: Path | None) -> list[tuple[bool, str]]:
    """Server reachability and this device's token, when sync is configured."""
    if config.sync is None:
        return [(True, "not configured: answers stay on this kiosk")]
    from sync.client import SyncClient, SyncError
    from sync.device import DEVICE_FILE, load_identity

    settings = config.sync
    client = SyncClient(settings.server_url, ca_bundle=settings.ca_bundle, timeout=(5.0, 10.0))
    try:
        client.health()
    except SyncError as exc:
        return [(False, f"{settings.server_url}: {exc}")]
    results = [(True, f"{settings.server_url} answers")]
    data = data_dir or default_data_dir()
    identity = load_identity(data) if (data / DEVICE_FILE).exists() else None
    if identity is None or not identity.token or identity.server_url != client.base_url:
        if settings.enrollment_key:
            results.append((True, "not enrolled yet: enrols with the key on first sync"))
        else:
            results.append((False, "not enrolled and no [sync] enrollment_key to enrol with"))
        return results
    client.token = identity.token
    try:
        me = client.whoami()
    except SyncError as exc:
        results.append((False, f"device token: {exc}"))
    else:
        from sync.enrolment import describe as place_name

        loc = config.location
        here = (loc.org_code, loc.site_code, loc.ward_name)
        there = (me.org_code, me.site_code, me.ward_name)
        if here == there:
            results.append((True, f"device {me.device_id} enrolled as {place_name(there)}"))
        else:
            results.append(
                (
                    False,
                    f"device {me.device_id} is enrolled for {place_name(there)} but kiosk.toml "
                    f"says {place_name(here)}; nothing is sent until they match: correct "
                    "[location], or enrol with a key for this ward",
                )
            )
    return results


def print_config(config_path: Path | None, data_dir: Path | None) -> int:
    """``--print-config``: the effective settings, each with its source, secrets masked."""
    from kiosk.settings import SETTINGS_FILE, apply, changed_keys, load_settings

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return cannot_start(exc)
    print(f"# config file: {config.source or 'none found (built-in demo ward)'}")
    data = data_dir or default_data_dir()
    overridden: set[tuple[str, str]] = set()
    if (data / SETTINGS_FILE).exists():
        settings = load_settings(data)
        config = apply(config, settings)
        overridden = changed_keys(settings)
        print(f"# staff settings: {data / SETTINGS_FILE}")
    print("\n".join(describe(config, overridden)))
    return 0


def describe(config: KioskConfig, overridden: set[tuple[str, str]] | None = None) -> list[str]:
    """Every effective setting, where it came from, and secrets masked: for ``--print-config``.

    :param overridden: (section, key) pairs that staff changed in ``ward-settings.json``.
    """
    raw: dict[str, Any] = {}
    if config.source is not None:
        try:
            raw = parse_toml(config.source, read_config_text(config.source))
        except ConfigError:
            raw = {}  # changed or gone since it was loaded: sources then show as "default"
    sections: dict[str, Any] = {
        "location": config.location,
        "survey": config.survey,
        "kiosk": config.kiosk,
        "staff": config.staff,
        "accessibility": config.accessibility,
    }
    if config.sync is not None:
        sections["sync"] = config.sync
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        from_file = raw.get(name, {})
        for key, declared in KEYS[name].items():
            value = getattr(values, key)
            if value is None:  # [survey] languages not set
                shown = "(not set)"
            elif declared.secret and value:
                shown = '"****" (set)'
            elif isinstance(value, tuple):
                shown = "[" + ", ".join(f'"{v}"' for v in value) + "]"
            elif isinstance(value, str):
                shown = f'"{value}"'
            else:
                shown = str(value).lower() if isinstance(value, bool) else str(value)
            if overridden and (name, key) in overridden:
                source = "ward-settings.json (changed by staff)"
            elif isinstance(from_file, dict) and key in from_file:
                source = str(config.source)
            elif config.source is None and name == "location":
                source = "built-in demo ward"
            else:
                source = "default"
            if value is None:
                source += ": every language survey.json lists, in its order"
            lines.append(f"{key} = {shown}    # {source}")
        lines.append("")
    return lines


def cannot_start(exc: Exception) -> int:
    """Say why the kiosk cannot start and how to see every problem; the exit status, 2."""
    print(f"ward-kiosk cannot start: {exc}", file=sys.stderr)
    print("Run `python -m kiosk --check` to see every problem.", file=sys.stderr)
    return 2
