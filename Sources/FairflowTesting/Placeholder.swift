enum _PlaceholderFairflowTesting {}
