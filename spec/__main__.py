"""``python -m spec``: run the spec against implementations (``spec.harness.runner``)."""
import sys

from .harness.runner import main

sys.exit(main())
