"""The web app in a real headless Chromium: its people's journeys, its refusals, axe-core on
every page and the screenshots in docs/screenshots/web/."""
