"""El esquema físico en PostgreSQL es el que crearía Prisma.

``tests/prisma/migration.sql`` es el SQL que ``prisma migrate`` genera para los modelos del
diseño (escrito aparte de ``models.py``: es un oráculo independiente). Se carga en una base
y se compara su catálogo (columnas y su orden, tipos, nulabilidad, defaults, restricciones,
índices, claves foráneas y sus acciones, enums y sus valores) con el de una base creada con
``amauta db migrate``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from conftest import borrar_bd_pg, crear_bd_pg, invocar, pg_disponible, url_pg

ORACULO = Path(__file__).parent / "prisma" / "migration.sql"
PROPIAS_DE_AMAUTA = {
    "alembic_version",
    "_amauta_meta",
    "_amauta_busqueda_curso",
    "_amauta_auditoria",
    "_amauta_acceso",
    "_amauta_vinculo",
}


def _catalogo(url: str) -> dict[str, set]:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as c:
        columnas = c.execute(
            """
            SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped
            """
        ).fetchall()
        restricciones = c.execute(
            """
            SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid)
            FROM pg_constraint co
            JOIN pg_class cl ON cl.oid = co.conrelid
            JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = 'public'
            """
        ).fetchall()
        indices = c.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall()
        enums = c.execute(
            """
            SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
            JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
            GROUP BY t.typname
            """
        ).fetchall()
    return {
        "columnas": {f for f in columnas if f[0] not in PROPIAS_DE_AMAUTA},
        "restricciones": {f for f in restricciones if f[0] not in PROPIAS_DE_AMAUTA},
        "indices": {f for f in indices if f[0] not in PROPIAS_DE_AMAUTA},
        "enums": {(n, tuple(v)) for n, v in enums},
    }


@pytest.fixture
def oraculo_prisma():
    if not pg_disponible():
        pytest.skip("PostgreSQL no disponible")
    import psycopg

    nombre = f"amauta_test_prisma_{uuid.uuid4().hex[:8]}"
    crear_bd_pg(nombre)
    try:
        with psycopg.connect(url_pg(nombre).replace("+psycopg", ""), autocommit=True) as c:
            c.execute(ORACULO.read_text(encoding="utf-8"))
        yield _catalogo(url_pg(nombre))
    finally:
        borrar_bd_pg(nombre)


def _comparar(real: dict[str, set], esperado: dict[str, set], clave: str) -> None:
    faltan = sorted(esperado[clave] - real[clave], key=repr)
    sobran = sorted(real[clave] - esperado[clave], key=repr)
    assert not faltan and not sobran, f"{clave}: faltan {faltan}\nsobran {sobran}"


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_la_primera_migracion_crea_exactamente_el_esquema_de_prisma(bd_vacia, oraculo_prisma):
    r = invocar(bd_vacia.url, "db", "migrate", "--revision", "0001")
    assert r.codigo == 0, r.texto
    real = _catalogo(bd_vacia.url)
    for clave in ("columnas", "restricciones", "indices", "enums"):
        _comparar(real, oraculo_prisma, clave)
    # Sanidad del oráculo: los 14 modelos y los 9 enums del diseño.
    assert len({c[0] for c in real["columnas"]}) == 14
    assert len(real["enums"]) == 9


@pytest.mark.rapida
@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_en_head_todo_lo_de_prisma_sigue_igual_y_lo_agregado_sigue_sus_nombres(bd, oraculo_prisma):
    real = _catalogo(bd.url)
    for clave in ("columnas", "restricciones", "enums"):
        assert oraculo_prisma[clave] <= real[clave], clave
    assert oraculo_prisma["indices"] <= real["indices"]
    for tabla, nombre, definicion in real["indices"] - oraculo_prisma["indices"]:
        # Las mejoras posteriores (p. ej. un índice único para calificaciones) usan la
        # convención de Prisma: "<Modelo>_<cols>_key" o "<Modelo>_<cols>_idx".
        assert nombre.startswith(f"{tabla}_") and nombre.endswith(("_key", "_idx")), definicion
    tablas = {t for (t,) in bd.filas("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tablas - {c[0] for c in oraculo_prisma["columnas"]} == PROPIAS_DE_AMAUTA
