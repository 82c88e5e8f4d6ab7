import sys

try:
    from artui.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl-C while Python was still loading artui: no traceback
    code = 130
sys.exit(code)
