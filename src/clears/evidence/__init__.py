"""Evidence synthesis: bundled published studies and meta-analysis of proportions.

Import from here; the modules behind it are private::

    from clears.evidence import metaprop, studies
"""

from clears.evidence._glmm import GlmmHeterogeneity, glmm_heterogeneity
from clears.evidence._metaprop import Method, leave_one_out, metaprop
from clears.evidence._result import MetaPropResult, SubgroupTest
from clears.evidence._studies import pooling_table, studies
from clears.evidence._tau2 import Tau2Method, estimate_tau2
from clears.evidence._transforms import Correction, Measure, back_transform, transform

__all__ = [
    "Correction",
    "GlmmHeterogeneity",
    "Measure",
    "MetaPropResult",
    "Method",
    "SubgroupTest",
    "Tau2Method",
    "back_transform",
    "estimate_tau2",
    "glmm_heterogeneity",
    "leave_one_out",
    "metaprop",
    "pooling_table",
    "studies",
    "transform",
]
