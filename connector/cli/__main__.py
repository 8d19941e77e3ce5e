"""`python -m connector.cli`: the same command as `segment-connector`."""

import sys

from connector.cli import main

sys.exit(main())
