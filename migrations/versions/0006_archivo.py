"""Tablas de archivo para asistencia, calificaciones y progreso

``amauta db archivar --hasta FECHA`` mueve los registros viejos de ``Asistencia``,
``Calificacion`` y ``Progreso`` a tablas de archivo con las mismas columnas, tipos, clave
primaria e índices (sin claves foráneas): en PostgreSQL, en el esquema ``archivo``, que el
cliente de Prisma no ve (el esquema de Prisma no cambia); en SQLite, tablas con el prefijo
``_amauta_archivo_``. Las crea ``dialecto.crear_archivo`` a partir de las tablas vivas.

Una migración futura que cambie las columnas de esas tablas debe cambiar también las de
archivo (``tests/test_archivo.py`` compara ambas).

Bajar esta migración borra las tablas de archivo **con sus datos** (``db rollback`` lo
avisa y hace antes un respaldo de seguridad).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import context, op

from amauta_cli.dialecto import dialecto, por_nombre

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLAS = ("Asistencia", "Calificacion", "Progreso")


def upgrade() -> None:
    if context.is_offline_mode():  # amauta db migrate --sql
        d = por_nombre(context.get_context().dialect.name)
        for tabla in TABLAS:
            for sql in d.sql_crear_archivo(tabla):
                op.execute(sql)
        return
    con = op.get_bind()
    d = dialecto(con)
    for tabla in TABLAS:
        d.crear_archivo(con, tabla)


def downgrade() -> None:
    if context.is_offline_mode():
        d = por_nombre(context.get_context().dialect.name)
        for tabla in TABLAS:
            op.execute(f"DROP TABLE {d.nombre_archivo(tabla)}")
        return
    con = op.get_bind()
    dialecto(con).borrar_archivo(con)
