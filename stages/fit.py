"""Least-squares line fit of a CSV; writes the model (JSON) and metrics (JSON)."""
import json
import sys

data, model_out, metrics_out = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [tuple(map(float, line.split(","))) for line in open(data).read().splitlines()[1:]]
n = len(rows)
mx = sum(x for x, _ in rows) / n
my = sum(y for _, y in rows) / n
slope = sum((x - mx) * (y - my) for x, y in rows) / sum((x - mx) ** 2 for x, _ in rows)
intercept = my - slope * mx
mse = sum((y - (slope * x + intercept)) ** 2 for x, y in rows) / n
json.dump({"slope": slope, "intercept": intercept}, open(model_out, "w"), indent=2, sort_keys=True)
json.dump({"mse": mse, "n": n}, open(metrics_out, "w"), indent=2, sort_keys=True)
