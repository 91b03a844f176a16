"""Reference values for the statistics tests, from scipy (not named statistics.py: that would
shadow the standard library module for every script in this folder).

Reads {"wilcoxon": [[d...], ...], "binomial": [[k, n], ...], "wilson": [[k, n], ...]} on stdin;
writes the two-sided Wilcoxon signed-rank p-values (scipy defaults), the two-sided exact binomial
p-values against 1/2 (McNemar's exact test), and Wilson 95% intervals.
"""
import json
import sys

from scipy import stats

request = json.load(sys.stdin)
out = {
    "wilcoxon": [float(stats.wilcoxon(d).pvalue) for d in request["wilcoxon"]],
    "binomial": [float(stats.binomtest(k, n, 0.5).pvalue) for k, n in request["binomial"]],
    "wilson": [],
}
for k, n in request["wilson"]:
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    out["wilson"].append([float(interval.low), float(interval.high)])
json.dump(out, sys.stdout)
