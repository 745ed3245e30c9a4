"""The kiosk's Qt Widgets shell: patient screens, widgets and theme. Logic lives outside."""
