"""``[difusor.host]``: the self-test on the difusor's host and the memoria's log statistics.

Contract: free space is in decimal GB; every limit is bounded by its ``Field`` constraints.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from prepcheck.config.base import Strict


class HostSettings(Strict):
    """The self-test on the difusor's host (``host.*``) and the memoria's log statistics.

    ``min_free_gb`` is in decimal GB (10^9 bytes) per filesystem holding the site or the
    history; ``access_log_max_age_minutes`` bounds how old the newest log line may be;
    ``visit_timeout_minutes`` splits visits; ``top_pages`` is the memoria's ranking length.
    """

    min_free_gb: Annotated[float, Field(ge=0)] = 20.0
    access_log_max_age_minutes: Annotated[int, Field(gt=0, le=100_000)] = 60
    max_problems: Annotated[int, Field(gt=0, le=1000)] = 20
    visit_timeout_minutes: Annotated[int, Field(gt=0, le=1440)] = 30
    top_pages: Annotated[int, Field(gt=0, le=1000)] = 20
