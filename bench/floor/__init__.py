"""The floor: the least a Django 6.1 app must do to save one questionnaire page.

bench.submission runs it beside collab-survey with the same gunicorn and the same locust
load, so our submission rate is printed as a ratio to what the stack itself manages on
this machine. Each page save looks a token up on an index, locks the response row,
replaces its six answer rows and redirects; each page view renders a six-question form.
"""
