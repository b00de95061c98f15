"""The Forum's work-stream spaces (private) and an open general space, so `make run` has them."""

from django.db import migrations

SPACES = [
    (
        "general",
        "General discussion",
        False,
        "Open to everyone: questions about the observatory's evidence, methods and data.",
    ),
    (
        "strategic-dependencies",
        "Strategic dependencies",
        True,
        "Work stream on extra-EU import dependencies at product level and their persistence.",
    ),
    (
        "investment-needs",
        "Investment needs and cooperation opportunities",
        True,
        "Work stream on investment needs and cross-border cooperation opportunities.",
    ),
    (
        "advanced-manufacturing",
        "Advanced manufacturing",
        True,
        "Work stream on the generation and uptake of advanced manufacturing technologies.",
    ),
    (
        "transition-pathways",
        "Ecosystem transition pathways",
        True,
        "Work stream on the green and digital transition pathways of the industrial ecosystems.",
    ),
]


def seed(apps, schema_editor):
    Space = apps.get_model("community", "Space")
    for position, (slug, name, private, description) in enumerate(SPACES):
        Space.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "is_private": private, "description": description, "position": position},
        )


def unseed(apps, schema_editor):
    Space = apps.get_model("community", "Space")
    Space.objects.filter(slug__in=[s[0] for s in SPACES], threads__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
