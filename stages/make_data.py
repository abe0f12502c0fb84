"""Writes a small deterministic CSV of (x, y) points with y = slope * x + noise."""
import random
import sys

seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
with open(out, "w") as f:
    f.write("x,y\n")
    for i in range(count):
        x = i / count
        f.write(f"{x:.6f},{2.5 * x + 0.3 + rng.gauss(0, 0.05):.6f}\n")
