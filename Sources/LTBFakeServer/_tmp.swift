enum _PlaceholderLTBFakeServer {}
