"""Bases "creadas por la aplicación Prisma" para las pruebas de convivencia con Prisma.

``tests/prisma/migration.sql`` es el SQL que ``prisma migrate`` genera para los modelos del
diseño; ``PRISMA_MIGRATIONS`` es la tabla de contabilidad que crea ``prisma migrate deploy``
(copiada del motor de esquemas de Prisma 6.19), con la fila que deja al aplicar esa
migración. Así queda una base como la de la aplicación web antes de conocer a amauta.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ORACULO = Path(__file__).parent / "prisma" / "migration.sql"

PRISMA_MIGRATIONS = """
CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
"""

MIGRACION_WEB = "20240301120000_init"


def fila_prisma_migrations(nombre: str, sql: str) -> str:
    suma = hashlib.sha256(sql.encode("utf-8")).hexdigest()
    return (
        "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) "
        f"VALUES (gen_random_uuid()::text, '{suma}', now(), '{nombre}', 1);"
    )


def ejecutar_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as c:
        c.execute(sql)


def como_prisma_migrate_deploy(url: str, sql: str | None = None) -> None:
    """Lo que deja ``prisma migrate deploy`` con una migración: su SQL y su contabilidad."""
    sql = ORACULO.read_text(encoding="utf-8") if sql is None else sql
    ejecutar_sql(url, sql)
    ejecutar_sql(url, PRISMA_MIGRATIONS + fila_prisma_migrations(MIGRACION_WEB, sql))


def catalogo_pg(url: str) -> dict[str, set]:
    """Columnas, restricciones, índices, enums y tablas del esquema public (todo, sin excluir)."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as c:
        return {
            "tablas": set(c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()),
            "columnas": set(
                c.execute(
                    "SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default "
                    "FROM information_schema.columns WHERE table_schema = 'public'"
                ).fetchall()
            ),
            "restricciones": set(
                c.execute(
                    "SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid) FROM pg_constraint co "
                    "JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace "
                    "WHERE n.nspname = 'public'"
                ).fetchall()
            ),
            "indices": set(
                c.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall()
            ),
            "enums": set(
                c.execute(
                    "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text FROM pg_type t "
                    "JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname"
                ).fetchall()
            ),
            "esquemas": set(c.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'amauta%'").fetchall()),
        }
