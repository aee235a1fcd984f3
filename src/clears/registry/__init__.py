"""The registry: database models, migrations, services, audit trail, import and export."""
