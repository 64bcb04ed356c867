"""Signals other apps listen to: the surveys app writes, and says when it has."""

from django.dispatch import Signal

# Sent after the transaction that submits a response commits; kwargs: survey_id.
response_submitted = Signal()
