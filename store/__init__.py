"""Store: the only code with SQL (schema, migrations, writes and readers)."""
