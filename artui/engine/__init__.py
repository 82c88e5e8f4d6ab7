"""The core between AWS and the screens: last known state, refresh engines, ports. No Textual."""
