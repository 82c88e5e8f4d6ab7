"""artui: a keyboard-first terminal console for AWS App Runner."""

__version__ = "0.1.0"
