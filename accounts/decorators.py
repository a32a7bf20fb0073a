from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def author_required(view):
    """Authors (the Authors group) and staff only: anonymous users log in, candidates get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_author:
            raise PermissionDenied("Only authors can see this page.")
        return view(request, *args, **kwargs)

    return wrapper
