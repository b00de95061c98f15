from django.conf import settings


def site(request):
    """Values every page needs: the site's name and whether we run in debug mode."""
    return {"SITE_NAME": "EU Industry Observatory", "DEBUG": settings.DEBUG}
