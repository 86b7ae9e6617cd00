"""Una base que creó la aplicación Prisma: amauta la adopta, y la contabilidad de Prisma no es deriva.

La base se arma con el SQL que ``prisma migrate`` genera para los modelos del diseño
(``tests/prisma/migration.sql``) más la tabla ``_prisma_migrations`` que deja
``prisma migrate deploy``: lo que encuentra un operador cuando la aplicación web llegó primero.
"""

from __future__ import annotations

import json

import pytest

from conftest import invocar
from prisma_base import (
    MIGRACION_WEB,
    ORACULO,
    PRISMA_MIGRATIONS,
    catalogo_pg,
    como_prisma_migrate_deploy,
    ejecutar_sql,
    fila_prisma_migrations,
)

solo_pg = pytest.mark.parametrize("motor", ["postgresql"], indirect=True)


def _contabilidad_prisma(bd) -> list[tuple]:
    return bd.filas("SELECT id, checksum, finished_at, migration_name FROM _prisma_migrations ORDER BY id")


@pytest.mark.rapida
@solo_pg
def test_adopta_la_base_de_prisma_la_lleva_a_head_y_se_puede_sembrar(bd_vacia):
    como_prisma_migrate_deploy(bd_vacia.url)
    prisma_antes = _contabilidad_prisma(bd_vacia)

    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 0, r.texto
    assert "idéntico al de la revisión 0001" in r.stderr
    assert "se registró 0001 como aplicada" in r.stderr
    assert "_prisma_migrations de Prisma no se tocó" in r.stderr
    assert "0001 → " in r.stderr  # y siguió hasta la última
    from amauta_cli.services.esquema import cabeza

    assert bd_vacia.valor("SELECT version_num FROM alembic_version") == cabeza()
    assert _contabilidad_prisma(bd_vacia) == prisma_antes
    assert catalogo_pg(bd_vacia.url)["esquemas"] == set()  # el esquema temporal no quedó

    r = invocar(bd_vacia.url, "db", "verificar")
    assert r.codigo == 0, r.texto
    r = invocar(bd_vacia.url, "seed")
    assert r.codigo == 0, r.texto
    assert bd_vacia.contar("Usuario") == 8
    assert _contabilidad_prisma(bd_vacia) == prisma_antes
    # Una segunda vez: ya es una base de amauta, nada que adoptar.
    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 0 and "ya está al día" in r.stderr and "adopt" not in r.stderr


@solo_pg
def test_adopcion_rechazada_si_una_columna_difiere_y_nada_cambia(bd_vacia):
    sql = ORACULO.read_text(encoding="utf-8").replace('"avatar" TEXT,', '"avatar" VARCHAR(200),')
    assert sql != ORACULO.read_text(encoding="utf-8")
    como_prisma_migrate_deploy(bd_vacia.url, sql)
    antes = catalogo_pg(bd_vacia.url)
    prisma_antes = _contabilidad_prisma(bd_vacia)

    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 1, r.texto
    assert "No se adoptó ni se cambió nada" in r.stderr
    assert "revisión 0001" in r.stderr
    assert '"Usuario"."avatar" es de tipo character varying(200), debería ser text' in r.stderr
    assert "Traceback" not in r.texto
    assert catalogo_pg(bd_vacia.url) == antes  # ni alembic_version ni _amauta_meta ni nada
    assert _contabilidad_prisma(bd_vacia) == prisma_antes

    # --sql tampoco: la misma explicación, nada impreso en stdout.
    r = invocar(bd_vacia.url, "db", "migrate", "--sql")
    assert r.codigo == 1 and r.stdout == "" and "avatar" in r.stderr
    # Y los comandos de datos dicen qué hacer.
    r = invocar(bd_vacia.url, "usuarios", "listar")
    assert r.codigo == 1 and "amauta db migrate" in r.stderr and "adopta" in r.stderr


@solo_pg
def test_adopcion_rechazada_enumera_cada_diferencia(bd_vacia):
    sql = (
        ORACULO.read_text(encoding="utf-8")
        .replace("'URGENTE');\n\n-- CreateEnum\nCREATE TYPE \"Prioridad\"", "'URGENTE', 'OTRO');\n\n-- CreateEnum\nCREATE TYPE \"Prioridad\"")
        .replace('CREATE INDEX "Comunicado_tipo_idx" ON "Comunicado"("tipo");', "")
        .replace("ON DELETE CASCADE ON UPDATE CASCADE;", "ON DELETE RESTRICT ON UPDATE CASCADE;", 1)
        .replace('CREATE UNIQUE INDEX "Categoria_nombre_key"', 'CREATE INDEX "Categoria_nombre_key"')
    )
    como_prisma_migrate_deploy(bd_vacia.url, sql)
    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 1, r.texto
    assert "falta el índice \"Comunicado_tipo_idx\" en \"Comunicado\"" in r.stderr
    assert 'el enum "TipoComunicado" tiene los valores' in r.stderr
    assert '"Leccion_cursoId_fkey" en "Leccion" es distinta' in r.stderr
    assert 'el índice "Categoria_nombre_key" en "Categoria" es distinto: CREATE INDEX ON' in r.stderr
    assert bd_vacia.valor("SELECT to_regclass('alembic_version')::text") is None


@solo_pg
def test_migrate_sql_muestra_la_adopcion_sin_tocar_la_base(bd_vacia):
    como_prisma_migrate_deploy(bd_vacia.url)
    antes = catalogo_pg(bd_vacia.url)
    r = invocar(bd_vacia.url, "db", "migrate", "--sql")
    assert r.codigo == 0, r.texto
    assert "Adopción" in r.stdout
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001');" in r.stdout
    assert "CREATE TABLE _amauta_meta" in r.stdout  # y lo que sigue hasta head
    assert catalogo_pg(bd_vacia.url) == antes
    # El SQL impreso, aplicado con psql, deja la base igual que `amauta db migrate`.
    ejecutar_sql(bd_vacia.url, r.stdout)
    assert invocar(bd_vacia.url, "db", "verificar").codigo == 0


@solo_pg
def test_adopta_una_base_que_prisma_ya_llevo_a_una_revision_posterior(bd_vacia):
    # La aplicación web baselineó con el esquema de amauta 0003 (db prisma) y lo creó Prisma:
    # sin alembic_version, pero con _amauta_meta y el índice único de calificaciones.
    sql = ORACULO.read_text(encoding="utf-8") + (
        'CREATE TABLE "_amauta_meta" ("clave" TEXT NOT NULL, "valor" TEXT NOT NULL, '
        '"updatedAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "_amauta_meta_pkey" PRIMARY KEY ("clave"));\n'
        'CREATE UNIQUE INDEX "Calificacion_grupoId_estudianteId_materia_periodo_key" '
        'ON "Calificacion"("grupoId", "estudianteId", "materia", "periodo");\n'
    )
    como_prisma_migrate_deploy(bd_vacia.url, sql)
    r = invocar(bd_vacia.url, "db", "migrate", "--revision", "0003")
    assert r.codigo == 0, r.texto
    assert "revisión 0003" in r.stderr
    assert bd_vacia.valor("SELECT version_num FROM alembic_version") == "0003"


@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_sqlite_con_tablas_y_sin_revision_lo_explica(bd_vacia):
    assert invocar(bd_vacia.url, "db", "migrate").codigo == 0
    bd_vacia.ejecutar("DROP TABLE alembic_version")
    antes = bd_vacia.conteos()
    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 1, r.texto
    assert "solo es posible en PostgreSQL" in r.stderr and "Traceback" not in r.texto
    assert bd_vacia.conteos() == antes


# --- _prisma_migrations no es deriva ------------------------------------------------------------
@solo_pg
def test_prisma_migrations_no_es_deriva_ni_datos_y_seed_reset_la_conserva(bd, tmp_path):
    sql = ORACULO.read_text(encoding="utf-8")
    ejecutar_sql(bd.url, PRISMA_MIGRATIONS + fila_prisma_migrations(MIGRACION_WEB, sql))
    antes = _contabilidad_prisma(bd)

    r = invocar(bd.url, "db", "verificar")
    assert r.codigo == 0, r.texto
    assert "sobra" not in r.texto

    r = invocar(bd.url, "db", "estado", "--formato", "json")
    e = json.loads(r.stdout)
    assert "_prisma_migrations" not in e["tablas"]
    assert e["prisma"] == {"aplicadas": 1, "ultima": MIGRACION_WEB, "fallidas": 0}
    r = invocar(bd.url, "db", "estado")
    assert "Migraciones de Prisma" in r.stdout and MIGRACION_WEB in r.stdout

    # Los respaldos la guardan y la restauran como una tabla más.
    r = invocar(bd.url, "db", "backup", "--verificar", "--salida", str(tmp_path) + "/")
    assert r.codigo == 0, r.texto
    import json as _json

    manifiesto = _json.loads(next(tmp_path.glob("amauta-*.dump.json")).read_text())
    assert manifiesto["tablas"]["_prisma_migrations"] == 1

    r = invocar(bd.url, "seed", "--reset", "--si")
    assert r.codigo == 0, r.texto
    assert "Se conserva _prisma_migrations" in r.stderr
    assert _contabilidad_prisma(bd) == antes
    assert bd.contar("Usuario") == 8
    assert invocar(bd.url, "db", "verificar").codigo == 0


@solo_pg
def test_restaurar_sobre_una_base_con_solo_la_contabilidad_de_prisma(bd, tmp_path):
    # Un respaldo de una base de amauta sin Prisma...
    r = invocar(bd.url, "db", "backup", "--salida", str(tmp_path) + "/")
    assert r.codigo == 0, r.texto
    archivo = next(tmp_path.glob("amauta-*.dump"))
    # ... restaurado sobre una base que la aplicación web ya creó (sin datos): no pide
    # --limpiar, y avisa que la contabilidad de Prisma no viene en el respaldo.
    ejecutar_sql(bd.url, PRISMA_MIGRATIONS + fila_prisma_migrations(MIGRACION_WEB, "x"))
    r = invocar(bd.url, "db", "restore", str(archivo), "--si")
    assert r.codigo == 0, r.texto
    assert "prisma migrate resolve --applied" in r.stderr


@solo_pg
def test_una_migracion_de_prisma_a_medias_no_se_adopta_y_se_explica(bd_vacia):
    # `prisma migrate deploy` falló después de crear los enums (sin tablas todavía).
    sql = ORACULO.read_text(encoding="utf-8")
    ejecutar_sql(bd_vacia.url, sql[: sql.index("-- CreateTable")])
    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 1, r.texto
    assert "No se adoptó ni se cambió nada" in r.stderr and 'falta la tabla "Usuario"' in r.stderr
    assert "Error inesperado" not in r.stderr
