"""Entorno de Alembic para amauta.

amauta lo usa a través de la API de Python (``amauta db migrate``); no hace falta
``alembic.ini``. La conexión llega en ``config.attributes["connection"]`` (modo
en línea) o la URL en ``sqlalchemy.url`` (modo ``--sql``, sin tocar la base).
"""

from __future__ import annotations

import sys

from alembic import context

from amauta_cli.models import metadata
from amauta_cli.services.esquema import incluir_objeto

config = context.config


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        transactional_ddl=True,
        output_buffer=config.attributes.get("salida", sys.stdout),
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    es_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=incluir_objeto,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=es_sqlite,
        # SQLite también admite DDL transaccional: una migración que falla no deja nada a medias.
        transactional_ddl=True,
        # services/catalogo.py construye el esquema de una revisión en un esquema temporal.
        version_table_schema=config.attributes.get("esquema_version"),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
