import sys

from regles.cli import main

sys.exit(main())
