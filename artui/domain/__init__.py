"""The domain: App Runner's rules, custom domains, changes, series, errors and formatters.

Standard library only (tests/test_layers.py holds it): every other layer builds on it.
"""
