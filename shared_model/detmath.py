"""exp and the logistic function from + - * / and ldexp only.

math.exp comes from the platform's libm (glibc on the server, musl/emscripten in Pyodide)
and may differ in the last bit; these give the same bits everywhere. Accuracy is about
1 ulp, far more than ranking needs. (math.sqrt and math.ldexp are exact by IEEE 754, so they
are safe to use directly.)
"""

from __future__ import annotations

import math

_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so k * _LN2_HI is exact (fdlibm)
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
# 1/n! for n = 13 .. 0: Horner coefficients of the Taylor series of e^r, |r| <= ln2 / 2.
_COEFFS = (
    1.6059043836821613e-10, 2.08767569878681e-09, 2.505210838544172e-08,
    2.755731922398589e-07, 2.7557319223985893e-06, 2.48015873015873e-05,
    0.0001984126984126984, 0.001388888888888889, 0.008333333333333333,
    0.041666666666666664, 0.16666666666666666, 0.5, 1.0, 1.0,
)
_LIMIT = 700.0


def exp(x: float) -> float:
    """e**x, deterministic across platforms (x is clamped to ±700)."""
    if x != x:
        return x
    x = _LIMIT if x > _LIMIT else -_LIMIT if x < -_LIMIT else x
    k = round(x * _INV_LN2)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    c = _COEFFS  # Horner, unrolled (ranking calls this for every candidate): p = p * r + c[i]
    p = ((((((((((((((0.0 * r + c[0]) * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r
                  + c[5]) * r + c[6]) * r + c[7]) * r + c[8]) * r + c[9]) * r + c[10]) * r
              + c[11]) * r + c[12]) * r + c[13])
    return math.ldexp(p, k)


def sigmoid(z: float) -> float:
    """1 / (1 + e**-z), without overflow."""
    return sigmoids([z])[0]


def sigmoids(zs: list[float]) -> list[float]:
    """sigmoid of each value: one call for ranking's candidates."""
    out = []
    for z in zs:
        if z >= 0.0:
            out.append(1.0 / (1.0 + exp(-z)))
        else:
            e = exp(z)
            out.append(e / (1.0 + e))
    return out


def dot(a: list[float], b: list[float]) -> float:
    """Left-to-right sum of products (built-in sum() of floats changed in Python 3.12)."""
    total = 0.0
    for x, y in zip(a, b, strict=True):
        total += x * y
    return total
