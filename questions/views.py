from django.shortcuts import render

from . import selectors


def home(request):
    return render(request, "questions/home.html", {"guides": selectors.guides_with_coverage()})
