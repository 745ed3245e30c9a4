"""Moving responses from kiosk to central server: wire protocol, FFT rules, client, engine.

Qt-free. The kiosk and the server both import from here; the server never imports ``kiosk``.
"""
