"""A link, its response and the response's answers: the rows a page save touches."""

from django.db import models


class FloorLink(models.Model):
    token = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"link {self.pk}"


class FloorResponse(models.Model):
    link = models.OneToOneField(FloorLink, on_delete=models.CASCADE)

    def __str__(self) -> str:
        return f"response {self.pk}"


class FloorAnswer(models.Model):
    response = models.ForeignKey(FloorResponse, on_delete=models.CASCADE)
    item = models.PositiveSmallIntegerField()
    value = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"item {self.item}: {self.value}"
