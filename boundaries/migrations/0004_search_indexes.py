"""Indexes and statistics for division search (boundaries.search).

- (level, code): the ranking order, walked and stopped at the page size for terms
  too common to collect and sort (村 is in 488k names).
- (level, code) of ended versions only: few rows, walked for historical hits.
- The search keys of levels 1–4 as expressions (CASE WHEN level < 5 …, NULL for
  villages): 44k rows instead of 665k, and, being expressions, ANALYZE gives them
  statistics of their own. The planner then estimates 村 above the village level at
  ~700 rows instead of 32k, and picks these indexes rather than reading every
  township to filter it.
- Statistics targets of 300: the search decides between walking and collecting from
  the planner's row estimates around 6k rows (~1% of the table), which is a single
  histogram bucket at the default target of 100.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

TABLE = "boundaries_divisionversion"
COLUMNS = ["name", "place_name", "pinyin", "place_pinyin", "initials", "grams"]
EXPRESSION_INDEXES = [
    "division_upper_grams_idx", "division_upper_name_idx", "division_upper_pinyin_idx",
    "division_upper_initials_idx",
]


def statistics(target: int) -> list[str]:
    return [
        f"ALTER TABLE {TABLE} " + ", ".join(
            f"ALTER COLUMN {column} SET STATISTICS {target}" for column in COLUMNS
        ),
        *(f"ALTER INDEX {index} ALTER COLUMN 1 SET STATISTICS {target}"
          for index in EXPRESSION_INDEXES),
    ]


def upper_key(field: str) -> models.Case:
    return models.Case(models.When(level__lt=5, then=models.F(field)))


class Migration(migrations.Migration):

    dependencies = [
        ("boundaries", "0003_parent_coverage"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="divisionversion",
            index=models.Index(fields=["level", "code"], name="division_level_code_idx"),
        ),
        migrations.AddIndex(
            model_name="divisionversion",
            index=models.Index(condition=models.Q(("valid_to__isnull", False)),
                               fields=["level", "code"], name="division_ended_idx"),
        ),
        migrations.AddIndex(
            model_name="divisionversion",
            index=django.contrib.postgres.indexes.GinIndex(
                upper_key("grams"), name="division_upper_grams_idx"),
        ),
        *(
            migrations.AddIndex(
                model_name="divisionversion",
                index=models.Index(
                    django.contrib.postgres.indexes.OpClass(upper_key(field),
                                                            name="text_pattern_ops"),
                    name=f"division_upper_{field}_idx"),
            )
            for field in ("name", "pinyin", "initials")
        ),
        migrations.RunSQL(statistics(300), reverse_sql=statistics(-1)),
        # Autovacuum may be off (it is on the shared server): give the planner the new
        # statistics now rather than at the next ANALYZE.
        migrations.RunSQL(f"ANALYZE {TABLE}", reverse_sql=migrations.RunSQL.noop),
    ]
