import sys

from thaigov_qa.cli import main

sys.exit(main())
