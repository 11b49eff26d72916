"""Store: the only code with SQL — schema, migrations, writes and the readers the dashboard and exports ask."""
