"""The public board: a ward's month as patients and visitors may see it, in plain text.

Figures leave the ward's own staff here, so they are shown as NHS England publishes them:
with 1 to 4 responses only the total is shown (shared FFT.md, "The numbers"). Comments are
never on the board.
"""

from __future__ import annotations

from datetime import date

from sync import fft


def board_text(ward: str, month: date, counts: fft.FFTCounts, actions: str = "") -> str:
    """The board for *ward* in the month of *month*: the six counts, the total, % positive
    as a whole percent, then the ward's "You said, we did"."""
    hidden = fft.first_level(counts.total)
    lines = [f"{ward}: feedback in {month:%B %Y}", ""]
    for code, words in fft.CODES.items():
        lines.append(f"{words}: {fft.SUPPRESSED if hidden else counts.by_code[code]}")
    lines.append(f"Total: {counts.total}")
    if hidden:
        lines.append(
            f"With fewer than {fft.SUPPRESSION_THRESHOLD} answers, only the total is shown, "
            "so nobody's answer can be worked out."
        )
    elif counts.total:
        lines.append(
            f"{fft.whole_percent(counts.positive, counts.total)} said their experience was good"
        )
    if actions.strip():
        lines += ["", "You said, we did:", actions.strip()]
    return "\n".join(lines)
