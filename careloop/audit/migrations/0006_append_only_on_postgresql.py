# PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE on audit records and checkpoints,
# whoever runs them (the restricted app role of `careloop audit restrict-app-role` has no such
# grants either). Superusers may TRUNCATE (they can disable any trigger anyway, and test
# harnesses empty tables that way); tampering as a superuser is what the hash chain detects.
# SQLite has no trigger: whoever can open the file can rewrite it, so there the chain is the guard.

from django.db import migrations

TABLES = ('audit_auditevent', 'audit_auditcheckpoint')

FUNCTION = """
CREATE OR REPLACE FUNCTION careloop_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('is_superuser') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit records are append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME
            || ' refused';
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION careloop_audit_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION careloop_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(TRIGGERS.format(table=table))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    for table in TABLES:
        schema_editor.execute(DROP.format(table=table))
    schema_editor.execute('DROP FUNCTION IF EXISTS careloop_audit_append_only()')


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_drop_raw_patient_id'),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
