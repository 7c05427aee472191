"""Alembic environment: the models' metadata against the URL webapp.migrate passes in."""

from __future__ import annotations

from alembic import context

from webapp.db import make_engine
from webapp.models import Base

config = context.config
url = config.attributes["database_url"]

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
