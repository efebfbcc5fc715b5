"""``python3 -m thaigov_qa``: the command line, kept under the name users know.

The one upward import of the ground floor: an entry point that nothing imports (see thaigov_app).
"""

import sys

from thaigov_app.cli import main

sys.exit(main())
