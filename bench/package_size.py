"""Package size: the kiosk's PyInstaller onedir beside a bare PySide6 Widgets window's.

    python bench/package_size.py

Both are built in this run with the same approach (build.spec's exclusions and file filter,
onedir, UPX off). Also times the packaged kiosk's start against the source kiosk's, as
process start to ``--check`` done (Qt, config, survey, fonts and database all loaded),
offscreen. Target: the kiosk at most 1.3x the bare bundle, without its fonts, which have a
budget of their own: all of them together at most 30 MB (reported per font).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
label = QLabel("Overall, how was your experience of our service?")
label.show()
if "--quit" in sys.argv:
    from PySide6.QtCore import QTimer
    QTimer.singleShot(0, app.quit)
app.exec()
"""


def bare_spec(script: Path) -> str:
    """The bare window with build.spec's own exclusions and filter (its text, re-pointed)."""
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    spec = spec.replace('[str(ROOT / "kiosk" / "__main__.py")]', f"[{str(script)!r}]")
    spec = spec.replace('datas=[(str(ROOT / "resources"), "resources"), *qml_datas]', "datas=[]")
    spec = spec.replace("binaries=qml_binaries", "binaries=[]")
    spec = re.sub(r"hiddenimports=\[[^\]]*\]", "hiddenimports=[]", spec)
    return spec.replace('name="ward-kiosk"', 'name="bare-window"')


def size(folder: Path) -> int:
    """Bytes on disk, counting each file once (bundles link some libraries twice)."""
    return sum(
        path.lstat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def fonts(bundle: Path) -> dict[str, int]:
    """Bytes of each bundled font file (``resources/fonts``) in *bundle*."""
    return {
        path.name: path.stat().st_size
        for path in sorted(bundle.rglob("resources/fonts/*"))
        if path.suffix.lower() in (".ttf", ".otf")
    }


def build(spec: Path, dist: Path, work: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(spec),
        ],
        check=True,
        cwd=ROOT,
    )


def first_paint(command: list[str], data: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    subprocess.run(
        [*command, "--check", "--data-dir", data, "--log-dir", data],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        script = tmp_path / "bare_window.py"
        script.write_text(BARE, encoding="utf-8")
        spec = tmp_path / "bare.spec"
        spec.write_text(bare_spec(script), encoding="utf-8")
        build(spec, tmp_path / "dist", tmp_path / "work-bare")
        build(ROOT / "build.spec", tmp_path / "dist", tmp_path / "work-kiosk")
        bare = size(tmp_path / "dist" / "bare-window")
        kiosk = size(tmp_path / "dist" / "ward-kiosk")
        font_sizes = fonts(tmp_path / "dist" / "ward-kiosk")
        font_total = sum(font_sizes.values())
        print(f"bare PySide6 window onedir {bare / 1e6:6.1f} MB")
        print(f"ward-kiosk onedir          {kiosk / 1e6:6.1f} MB")
        print(f"  of which fonts           {font_total / 1e6:6.1f} MB (budget 30 MB)")
        for name, bytes_ in sorted(font_sizes.items(), key=lambda item: -item[1]):
            print(f"    {name:<34} {bytes_ / 1e6:6.2f} MB")
        print(
            f"ratio {(kiosk - font_total) / bare:.2f}x without the fonts (target at most 1.3x), "
            f"{kiosk / bare:.2f}x with them"
        )
        packaged = [str(tmp_path / "dist" / "ward-kiosk" / "ward-kiosk")]
        source = [sys.executable, "-m", "kiosk"]
        runs = {"packaged": [], "source": []}
        for _ in range(5):
            runs["packaged"].append(first_paint(packaged, str(tmp_path / "d1")))
            runs["source"].append(first_paint(source, str(tmp_path / "d2")))
        packaged_s = statistics.median(runs["packaged"])
        source_s = statistics.median(runs["source"])
        print(
            f"process start to --check done (Qt up, config, survey, fonts, database): "
            f"packaged {packaged_s * 1000:.0f} ms, source {source_s * 1000:.0f} ms "
            "(median of 5)"
        )


if __name__ == "__main__":
    main()
