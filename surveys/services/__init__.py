"""Every write of collab-survey, one module per area."""
