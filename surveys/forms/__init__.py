"""Forms, one module per area: the respondent journey, and the lead's management pages."""
