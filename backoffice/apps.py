from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The project package as an app, for project-wide management commands."""

    name = "backoffice"
    verbose_name = "Back office"

    def ready(self) -> None:
        from backoffice import checks  # noqa: F401 - registers the deployment checks
