"""Outside services, one module each, through their official client libraries."""
