"""Búsqueda de cursos: el índice sabe qué cursos están publicados

``amauta cursos buscar`` muestra por defecto solo los cursos PUBLICADO. Con el estado solo en
``Curso``, cada coincidencia del índice se buscaba en ``Curso`` por su clave para filtrar (en
100.000 cursos, una búsqueda común coincide con unos 2.000: 2.000 lecturas al azar, casi todo
el tiempo de la consulta). Esta migración guarda en la tabla propia del índice,
``_amauta_busqueda_curso``, una columna ``publicado`` que los disparadores mantienen al día
(también cuando cambia solo el estado, escriba quien escriba), y la consulta filtra y cuenta
sin tocar ``Curso``: solo lee de ``Curso`` los cursos de la página que se muestra.

Nada de los modelos de Prisma cambia. ``downgrade`` quita la columna y deja los disparadores
como los dejó la 0004.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# --- PostgreSQL ------------------------------------------------------------------------------
def _pg_actualizar(con_publicado: bool) -> str:
    columnas = '"cursoId", "documento", "publicado"' if con_publicado else '"cursoId", "documento"'
    publicado = ', c."estado" = \'PUBLICADO\'' if con_publicado else ""
    al_chocar = (
        '"documento" = EXCLUDED."documento", "publicado" = EXCLUDED."publicado"'
        if con_publicado
        else '"documento" = EXCLUDED."documento"'
    )
    return f"""
CREATE OR REPLACE FUNCTION amauta_busqueda_actualizar(ids text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO "_amauta_busqueda_curso" ({columnas})
    SELECT c."id", amauta_documento_curso(c."titulo", c."descripcion", (
               SELECT string_agg(l."titulo" || ' ' || coalesce(l."descripcion", ''), ' '
                                 ORDER BY l."orden")
               FROM "Leccion" l WHERE l."cursoId" = c."id")){publicado}
    FROM "Curso" c
    WHERE c."id" = ANY(ids)
    ON CONFLICT ("cursoId") DO UPDATE SET {al_chocar}
$$
"""


def _pg_disparador_update(con_estado: bool) -> str:
    estado = ' OR n."estado" IS DISTINCT FROM v."estado"' if con_estado else ""
    return f"""
CREATE OR REPLACE FUNCTION "_amauta_busqueda_curso_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM amauta_busqueda_actualizar(ARRAY(SELECT n."id" FROM nuevas n JOIN viejas v ON v."id" = n."id" WHERE n."titulo" IS DISTINCT FROM v."titulo" OR n."descripcion" IS DISTINCT FROM v."descripcion"{estado}));
    RETURN NULL;
END
$$
"""


def _pg_upgrade() -> None:
    op.execute(
        'ALTER TABLE "_amauta_busqueda_curso" ADD COLUMN "publicado" BOOLEAN NOT NULL DEFAULT false'
    )
    op.execute(_pg_actualizar(True))
    op.execute(_pg_disparador_update(True))
    op.execute(
        'UPDATE "_amauta_busqueda_curso" b SET "publicado" = true FROM "Curso" c '
        "WHERE c.\"id\" = b.\"cursoId\" AND c.\"estado\" = 'PUBLICADO'"
    )


def _pg_downgrade() -> None:
    op.execute(_pg_disparador_update(False))
    op.execute(_pg_actualizar(False))
    op.execute('ALTER TABLE "_amauta_busqueda_curso" DROP COLUMN "publicado"')


# --- SQLite ------------------------------------------------------------------------------------
_N_DE = '(SELECT "n" FROM "_amauta_busqueda_curso" WHERE "cursoId" = new."id")'
_LECCIONES = (
    "(SELECT amauta_lexemas(group_concat(l.\"titulo\" || ' ' || coalesce(l.\"descripcion\", ''), ' ')) "
    'FROM "Leccion" l WHERE l."cursoId" = new."id")'
)


def _sqlite_insert(con_publicado: bool) -> str:
    if con_publicado:
        mapa = (
            'INSERT INTO "_amauta_busqueda_curso" ("cursoId", "publicado") '
            "VALUES (new.\"id\", new.\"estado\" = 'PUBLICADO');"
        )
    else:
        mapa = 'INSERT INTO "_amauta_busqueda_curso" ("cursoId") VALUES (new."id");'
    return f"""
CREATE TRIGGER "_amauta_busqueda_curso_insert" AFTER INSERT ON "Curso" BEGIN
    {mapa}
    INSERT INTO "_amauta_busqueda_fts" (rowid, titulo, descripcion, lecciones)
    VALUES ({_N_DE}, amauta_lexemas(new."titulo"),
            amauta_lexemas(new."descripcion"), {_LECCIONES});
END
"""


# Si en la misma sentencia cambian el id y el estado, el orden de los disparadores no importa:
# la fila del mapa tiene el id viejo o el nuevo.
SQLITE_ESTADO = """
CREATE TRIGGER "_amauta_busqueda_curso_estado" AFTER UPDATE OF "estado" ON "Curso" BEGIN
    UPDATE "_amauta_busqueda_curso" SET "publicado" = (new."estado" = 'PUBLICADO')
    WHERE "cursoId" IN (old."id", new."id");
END
"""


def _sqlite_upgrade() -> None:
    op.execute(
        'ALTER TABLE "_amauta_busqueda_curso" ADD COLUMN "publicado" INTEGER NOT NULL DEFAULT 0'
    )
    op.execute('DROP TRIGGER "_amauta_busqueda_curso_insert"')
    op.execute(_sqlite_insert(True))
    op.execute(SQLITE_ESTADO)
    op.execute(
        'UPDATE "_amauta_busqueda_curso" SET "publicado" = 1 WHERE "cursoId" IN '
        "(SELECT \"id\" FROM \"Curso\" WHERE \"estado\" = 'PUBLICADO')"
    )


def _sqlite_downgrade() -> None:
    op.execute('DROP TRIGGER "_amauta_busqueda_curso_estado"')
    op.execute('DROP TRIGGER "_amauta_busqueda_curso_insert"')
    op.execute(_sqlite_insert(False))
    op.execute('ALTER TABLE "_amauta_busqueda_curso" DROP COLUMN "publicado"')


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
