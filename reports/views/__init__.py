"""Views of the reports app: dashboards now, downloads beside them."""
