"""Ward staff mode: the hidden way in, the PIN pad, and the staff screens."""
