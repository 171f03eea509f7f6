"""Reviews and ratings of products and membership tiers: who may rate, summaries, helpful votes, replies."""
