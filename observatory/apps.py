from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "observatory"
    verbose_name = "Observatory"

    def ready(self):
        from .celery import log_mode

        log_mode()
