"""Published data sets used as fixtures (counts typed from the metadat sources).

dat.bcg / dat.colditz1994: Colditz et al. (1994) JAMA 271:698-702, as in
wviechtb/metadat data-raw/dat.colditz1994.txt.
dat.nielweise2007: Niel-Weise et al. (2007), as in wviechtb/metadat
data-raw/dat.nielweise2007.txt (ci/n2i = standard catheters, ai/n1i = anti-infective).
dat.pritz1997: Zhou et al. (1999) Stat Med 18:557-566, as in metadat data-raw/dat.pritz1997.txt.
"""

import numpy as np

BCG_TPOS = np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27], dtype=float)
BCG_TNEG = np.array(
    [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886], dtype=float
)
BCG_CPOS = np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29], dtype=float)
BCG_CNEG = np.array(
    [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825], dtype=float
)


def bcg_log_rr() -> tuple[np.ndarray, np.ndarray]:
    """escalc(measure="RR"): log risk ratio and its large-sample variance."""
    n1 = BCG_TPOS + BCG_TNEG
    n2 = BCG_CPOS + BCG_CNEG
    yi = np.log((BCG_TPOS / n1) / (BCG_CPOS / n2))
    vi = 1 / BCG_TPOS - 1 / n1 + 1 / BCG_CPOS - 1 / n2
    return yi, vi


def bcg_log_or() -> tuple[np.ndarray, np.ndarray]:
    """escalc(measure="OR"): log odds ratio and its variance (no zero cells here)."""
    yi = np.log(BCG_TPOS * BCG_CNEG / (BCG_TNEG * BCG_CPOS))
    vi = 1 / BCG_TPOS + 1 / BCG_TNEG + 1 / BCG_CPOS + 1 / BCG_CNEG
    return yi, vi


NIEL_STUDY = [
    "Bach", "George", "Maki", "Raad", "Heard", "Collin", "Hannan", "Marik", "Pierce", "Sheng",
    "Chatzinikolaou", "Corral", "Brun-Buisson", "Leon", "Yucel", "Moretti", "Rupp", "Osma",
]  # fmt: skip
NIEL_CI = [3, 3, 9, 7, 6, 4, 3, 2, 19, 2, 7, 1, 5, 11, 0, 1, 3, 1]
NIEL_N2I = [117, 35, 195, 136, 157, 139, 177, 39, 103, 122, 64, 58, 175, 180, 105, 262, 362, 69]
NIEL_AI = [0, 1, 2, 0, 5, 1, 1, 1, 1, 1, 0, 0, 3, 6, 0, 0, 1, 4]
NIEL_N1I = [116, 44, 208, 130, 151, 98, 174, 74, 97, 113, 66, 70, 188, 187, 118, 252, 345, 64]

PRITZ_XI = [16, 10, 4, 43, 10, 25, 13, 12, 22, 4, 5, 18, 58, 6]
PRITZ_NI = [17, 12, 8, 58, 10, 42, 14, 12, 41, 5, 6, 23, 68, 10]
