from django.db import migrations

# Proposals used to keep the division code as the applicant typed it (520201); stored
# codes are 12 digits everywhere else. Every stored short code was a valid 2/4/6/9-digit
# code of its level, so padding it with zeros is its 12-digit form.
PAD = """
UPDATE proposals_proposal SET division_code = rpad(division_code, 12, '0')
WHERE length(division_code) < 12
"""


class Migration(migrations.Migration):
    dependencies = [("proposals", "0004_apitoken_to_accounts")]

    operations = [migrations.RunSQL(PAD, migrations.RunSQL.noop)]
