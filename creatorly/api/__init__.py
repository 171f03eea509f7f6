"""HTTP routes mounted into Reflex: translation between HTTP and services only."""
