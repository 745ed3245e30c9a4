"""Themes and sentiment of patients' comments, from NHS England's framework: a model trained
on labelled FFT comments, shipped as JSON and numpy arrays and run with numpy alone.

The server's ``analysis`` extra; kiosks never import this package.
"""
