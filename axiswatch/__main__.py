import sys

from axiswatch.cli import main

sys.exit(main())
