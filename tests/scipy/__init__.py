"""Tests of ``minpy.scipy``.

The op table (``tests.numpy.optable``) joins this package's ``optable_*`` modules, which import
its ``Case``; importing the table first here means whichever module pytest collects first, the
table is complete before a case module asks it for names.
"""

import tests.numpy.optable  # noqa: F401
