"""Statistics on ST_Dimension(geom): the OGC place collections filter on it (one per
geometry type), and without them the planner guesses that 0.5 % of places pass where all
points do, choosing a slow plan for the numberMatched count (90–150 ms; 16 ms with these,
on 205,904 places: bench/ogcweb.py)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("gazetteer", "0008_placedivision_period")]

    operations = [
        migrations.RunSQL(
            "CREATE STATISTICS IF NOT EXISTS place_dimension_stats ON (ST_Dimension(geom)) "
            "FROM gazetteer_place",
            "DROP STATISTICS IF EXISTS place_dimension_stats"),
    ]
