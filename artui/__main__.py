import sys

from artui.cli import main

sys.exit(main())
