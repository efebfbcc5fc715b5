import sys

from thaigov_app.cli import main

sys.exit(main())
