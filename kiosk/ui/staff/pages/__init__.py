"""The staff screen's pages, one module each: every page is a ``StaffPage`` that asks the core
for its figures and draws them. ``kiosk.ui.staff.dashboard`` puts them under their buttons.
"""
