"""Two-character substring search on PostgreSQL (see registry.models.HasBigrams).

registry_bigrams(text) returns the distinct two-character pieces of a text; GIN indexes on it
give the candidate people and addresses for a search of two characters or more, which the
search's LIKE then checks. Other databases get nothing here: their search reads the names from
the (area_path, name, former_name, id) index.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION registry_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
    FROM generate_series(1, length(value) - 1) AS i
$$
"""

FORWARD = [
    FUNCTION,
    "CREATE INDEX person_name_bigrams ON registry_person "
    "USING gin ((registry_bigrams(name) || registry_bigrams(former_name)))",
    "CREATE INDEX address_canonical_bigrams ON registry_address "
    "USING gin (registry_bigrams(canonical))",
]

BACKWARD = [
    "DROP INDEX IF EXISTS address_canonical_bigrams",
    "DROP INDEX IF EXISTS person_name_bigrams",
    "DROP FUNCTION IF EXISTS registry_bigrams(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0004_name_search_indexes"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
