"""Scripts that measure followup and print the figures against their targets."""
