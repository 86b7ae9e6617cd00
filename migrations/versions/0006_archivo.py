"""Tablas de archivo para asistencia, calificaciones y progreso

``amauta db archivar --hasta FECHA`` mueve los registros viejos de ``Asistencia``,
``Calificacion`` y ``Progreso`` a tablas de archivo con las mismas columnas, tipos, clave
primaria e índices (sin claves foráneas): en PostgreSQL, en el esquema ``archivo``, que el
cliente de Prisma no ve (el esquema de Prisma no cambia); en SQLite, tablas con el prefijo
``_amauta_archivo_``. Las crea ``dialecto.crear_archivo`` a partir de las tablas vivas.

PostgreSQL, con la seguridad por escuelas de la 0005:

- el rol de grupo ``amauta_escuela`` puede leer (USAGE en ``archivo`` y SELECT) el archivo de
  asistencia y de calificaciones, como las tablas vivas; nada más (ni escribir en el archivo,
  ni el progreso, que tampoco lee vivo);
- ``archivo."Asistencia"`` y ``archivo."Calificacion"`` tienen las mismas políticas que las
  vivas (``amauta_todos`` para los demás roles y la RESTRICTIVE ``amauta_escuela``: solo los
  registros de los grupos de su institución, por ``amauta_institucion_de``);
- ``amauta_conceder_permisos()`` (la que corre también después de restaurar un respaldo, que
  se hace sin privilegios) da además esos permisos del archivo.

Una migración futura que cambie las columnas de esas tablas debe cambiar también las de
archivo (``tests/test_archivo.py`` compara ambas).

Bajar esta migración borra las tablas de archivo **con sus datos** (``db rollback`` lo
avisa y hace antes un respaldo de seguridad), sus permisos y políticas, y deja
``amauta_conceder_permisos()`` como la dejó la 0005.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import context, op

from amauta_cli.dialecto import dialecto, por_nombre

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLAS = ("Asistencia", "Calificacion", "Progreso")
#: Las tablas de archivo que un rol de escuela lee (las vivas que lee), con sus políticas.
LEIDAS_POR_ESCUELAS = ("Asistencia", "Calificacion")


def _esquema_archivo() -> str:
    """``archivo``; dentro del esquema temporal de referencia (``catalogo.referencia``: db
    prisma, la adopción de una base de Prisma) uno propio de ese esquema, que se deshace con él
    y no choca con el archivo real de la base."""
    ref = context.config.attributes.get("esquema_version") if context.config is not None else None
    return f"{ref}_archivo" if ref else "archivo"


def _m0005():
    """La migración 0005 (sus políticas y su ``amauta_conceder_permisos``, para no copiarlas)."""
    ruta = Path(__file__).with_name("0005_escuelas_y_auditoria.py")
    spec = importlib.util.spec_from_file_location("amauta_migracion_0005", ruta)
    assert spec is not None and spec.loader is not None
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def _conceder_0005(m, s: str) -> str:
    sql = m._sql_funciones(s)[-1]
    assert "amauta_conceder_permisos()" in sql
    return sql


def _conceder_0006(m, s: str, esquema: str) -> str:
    """La de la 0005 más los permisos de lectura del archivo (si el esquema existe)."""
    sql = _conceder_0005(m, s)
    tablas = ", ".join(f'"{esquema}"."{t}"' for t in LEIDAS_POR_ESCUELAS)
    extra = f"""
  IF pg_catalog.to_regnamespace('"{esquema}"') IS NOT NULL THEN
    GRANT USAGE ON SCHEMA "{esquema}" TO {m.ROL_GRUPO};
    GRANT SELECT ON {tablas} TO {m.ROL_GRUPO};
  END IF;
END
$amauta$"""
    cuerpo, fin = sql.rsplit("END\n$amauta$", 1)
    assert fin.strip() == ""
    return cuerpo + extra.lstrip("\n")


def _upgrade_pg_escuelas(esquema: str) -> None:
    m = _m0005()
    s = m._q(m._esquema())
    politicas = m._politicas(s)
    for tabla in LEIDAS_POR_ESCUELAS:
        t = f'"{esquema}"."{tabla}"'
        usando, chequeo = politicas[tabla]
        op.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY amauta_todos ON {t} AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true)"
        )
        op.execute(
            f"CREATE POLICY {m.ROL_GRUPO} ON {t} AS RESTRICTIVE FOR ALL TO {m.ROL_GRUPO} "
            f"USING ({usando}) WITH CHECK ({chequeo})"
        )
    # La función nombra siempre el archivo real ("archivo"): en el esquema de referencia debe
    # quedar igual que en la base (db prisma la copia a la migración base de Prisma).
    op.execute(_conceder_0006(m, s, "archivo"))
    op.execute(f"SELECT {s}.amauta_conceder_permisos()")


def upgrade() -> None:
    nombre = context.get_context().dialect.name
    esquema = _esquema_archivo()
    if context.is_offline_mode():  # amauta db migrate --sql
        d = por_nombre(nombre)
        for tabla in TABLAS:
            for sql in d.sql_crear_archivo(tabla, esquema):
                op.execute(sql)
    else:
        con = op.get_bind()
        d = dialecto(con)
        for tabla in TABLAS:
            d.crear_archivo(con, tabla, esquema)
    if nombre == "postgresql":
        _upgrade_pg_escuelas(esquema)


def downgrade() -> None:
    nombre = context.get_context().dialect.name
    if nombre == "postgresql":
        # Primero la función de la 0005 (sin el archivo); los permisos y las políticas del
        # archivo se van con el esquema.
        m = _m0005()
        op.execute(_conceder_0005(m, m._q(m._esquema())))
    if context.is_offline_mode():
        d = por_nombre(nombre)
        for tabla in TABLAS:
            op.execute(f"DROP TABLE {d.nombre_archivo(tabla)}")
        if nombre == "postgresql":
            op.execute(f'DROP SCHEMA "{_esquema_archivo()}"')
        return
    con = op.get_bind()
    dialecto(con).borrar_archivo(con, _esquema_archivo())
