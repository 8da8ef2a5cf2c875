"""One-run auditing's p-value and ε lower bound (Steinke, Nasr & Jagielski 2023,
Theorem 5.2), written from the paper with scipy's binomial, as the reference that
src/privacy/audit-bound.ts is checked against (test/privacy/audit-bound.test.ts).

Reads JSON lines {"m", "r", "v", "epsilon", "delta", "confidence"} on stdin and
writes {"p": p-value at epsilon, "bound": ε lower bound at confidence} for each.
"""
import json
import math
import sys

from scipy.stats import binom


def p_value(m, r, v, epsilon, delta):
    q = 1 / (1 + math.exp(-epsilon))
    tail = binom.sf(v - 1, r, q)
    worst, below = 0.0, 0.0
    for i in range(1, v + 1):
        below += binom.pmf(v - i, r, q)
        worst = max(worst, below / i)
    return min(1.0, tail + 2 * m * delta * worst)


def lower_bound(m, r, v, delta, confidence):
    alpha = 1 - confidence
    if p_value(m, r, v, 0, delta) >= alpha:
        return 0.0
    low, high = 0.0, 1.0
    while p_value(m, r, v, high, delta) < alpha:
        low, high = high, 2 * high
    while high - low > 1e-7:
        middle = (low + high) / 2
        if p_value(m, r, v, middle, delta) < alpha:
            low = middle
        else:
            high = middle
    return low


for line in sys.stdin:
    case = json.loads(line)
    m, r, v, delta = case["m"], case["r"], case["v"], case["delta"]
    print(json.dumps({"p": p_value(m, r, v, case["epsilon"], delta), "bound": lower_bound(m, r, v, delta, case["confidence"])}))
