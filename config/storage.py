"""Static files storage: WhiteNoise's compressed manifest storage, with URLs remembered."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Each static file's hashed URL, worked out once per process.

    The manifest is fixed for the life of a deployment (``collectstatic`` runs before the
    server starts), but ``{% static %}`` looked the name up and joined the URL again on every
    use: six times a page, 3 % of the exam question page's time (docs/performance.md).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
