"""Analytics: privacy-preserving tracking, daily rollups and the creator dashboard figures."""
