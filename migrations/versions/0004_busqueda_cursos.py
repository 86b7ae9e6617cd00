"""Búsqueda de cursos sin acentos, con raíces en español y el texto de las lecciones

``amauta cursos buscar geometria`` debe encontrar "Geometría Plana", y ``triangulos`` el
curso cuya lección dice "Triángulos". El índice GIN del diseño (``idx_curso_busqueda``,
``to_tsvector('spanish', titulo || ' ' || descripcion)``) no alcanza: el diccionario
``spanish`` de PostgreSQL no pliega los acentos (``Geometría`` da ``geometr``, la consulta
``geometria`` da ``geometri``) y no mira las lecciones. Esta migración agrega, sin tocar
nada de los modelos de Prisma (el índice del diseño queda como está):

PostgreSQL
- ``amauta_sin_acentos(text)``: minúsculas y sin tildes con la tabla compartida de
  ``amauta_cli.textos`` (``normalize`` a NFC y ``translate``, que además quita las marcas
  combinantes que queden), como ``dialecto.sin_acentos`` y ``textos.sin_acentos``; una
  función SQL ``IMMUTABLE`` (``unaccent`` no lo es y es una extensión).
- ``amauta_documento_curso(titulo, descripcion, lecciones)``: el ``tsvector`` plegado, con
  pesos A (título), B (descripción) y C (títulos y descripciones de las lecciones).
- La tabla propia ``_amauta_busqueda_curso`` (``cursoId`` → ``Curso`` con ``ON DELETE
  CASCADE``, ``documento tsvector``) con su índice GIN
  ``_amauta_busqueda_curso_documento_idx``: un documento por curso.
- Disparadores por sentencia (con tablas de transición) en ``Curso`` y ``Leccion`` que
  mantienen el documento al día escriba quien escriba (amauta o la aplicación Prisma),
  recalculando en una sola sentencia los cursos tocados (``amauta_busqueda_actualizar``).

SQLite
- La tabla FTS5 ``_amauta_busqueda_fts`` (título, descripción y lecciones, ya reducidos a
  sus raíces por ``amauta_cli.busqueda``) y ``_amauta_busqueda_curso``, que da a cada curso
  el entero que FTS5 usa como ``rowid``.
- Disparadores en ``Curso`` y ``Leccion`` que la mantienen al día; calculan las raíces con
  la función ``amauta_lexemas`` que amauta registra en cada conexión (en SQLite solo
  escribe amauta: la aplicación web usa PostgreSQL).

Ambos motores cargan el índice con los cursos existentes. ``downgrade`` lo quita todo.
Nota para migraciones futuras: en SQLite, recrear ``Curso`` o ``Leccion`` (el modo *batch*
de Alembic) borra sus disparadores: hay que volver a crearlos.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from amauta_cli.textos import CON_ACENTO, SIN_ACENTO

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Marcas combinantes (U+0300 a U+036F): el texto en NFD ("a" + tilde) pierde la tilde.
_COMBINANTES = "".join(chr(c) for c in range(0x300, 0x370))


def _literal(texto: str) -> str:
    return "'" + texto.replace("'", "''") + "'"


# --- PostgreSQL ------------------------------------------------------------------------------
PG_FUNCIONES = [
    f"""
CREATE OR REPLACE FUNCTION amauta_sin_acentos(texto text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(translate(normalize(texto, NFC), {_literal(CON_ACENTO + _COMBINANTES)}, {_literal(SIN_ACENTO)})) $$
""",
    """
CREATE OR REPLACE FUNCTION amauta_documento_curso(titulo text, descripcion text, lecciones text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT
    setweight(to_tsvector('spanish'::regconfig, amauta_sin_acentos(coalesce(titulo, ''))), 'A')
 || setweight(to_tsvector('spanish'::regconfig, amauta_sin_acentos(coalesce(descripcion, ''))), 'B')
 || setweight(to_tsvector('spanish'::regconfig, amauta_sin_acentos(coalesce(lecciones, ''))), 'C') $$
""",
]

PG_TABLA = [
    """
CREATE TABLE "_amauta_busqueda_curso" (
    "cursoId" TEXT NOT NULL,
    "documento" TSVECTOR NOT NULL,
    CONSTRAINT "_amauta_busqueda_curso_pkey" PRIMARY KEY ("cursoId"),
    CONSTRAINT "_amauta_busqueda_curso_cursoId_fkey" FOREIGN KEY ("cursoId")
        REFERENCES "Curso"("id") ON DELETE CASCADE ON UPDATE CASCADE
)
""",
    'CREATE INDEX "_amauta_busqueda_curso_documento_idx" ON "_amauta_busqueda_curso" '
    'USING GIN ("documento")',
    """
CREATE OR REPLACE FUNCTION amauta_busqueda_actualizar(ids text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO "_amauta_busqueda_curso" ("cursoId", "documento")
    SELECT c."id", amauta_documento_curso(c."titulo", c."descripcion", (
               SELECT string_agg(l."titulo" || ' ' || coalesce(l."descripcion", ''), ' '
                                 ORDER BY l."orden")
               FROM "Leccion" l WHERE l."cursoId" = c."id"))
    FROM "Curso" c
    WHERE c."id" = ANY(ids)
    ON CONFLICT ("cursoId") DO UPDATE SET "documento" = EXCLUDED."documento"
$$
""",
]

#: (nombre del disparador, tabla, evento, transiciones, cuerpo que da los ids de curso).
PG_DISPARADORES = [
    (
        "_amauta_busqueda_curso_insert",
        "Curso",
        "INSERT",
        "NEW TABLE AS nuevas",
        'SELECT "id" FROM nuevas',
    ),
    (
        "_amauta_busqueda_curso_update",
        "Curso",
        "UPDATE",
        "OLD TABLE AS viejas NEW TABLE AS nuevas",
        'SELECT n."id" FROM nuevas n JOIN viejas v ON v."id" = n."id" '
        'WHERE n."titulo" IS DISTINCT FROM v."titulo" '
        'OR n."descripcion" IS DISTINCT FROM v."descripcion"',
    ),
    (
        "_amauta_busqueda_leccion_insert",
        "Leccion",
        "INSERT",
        "NEW TABLE AS nuevas",
        'SELECT DISTINCT "cursoId" FROM nuevas',
    ),
    (
        "_amauta_busqueda_leccion_update",
        "Leccion",
        "UPDATE",
        "OLD TABLE AS viejas NEW TABLE AS nuevas",
        'SELECT unnest(ARRAY[n."cursoId", v."cursoId"]) FROM nuevas n JOIN viejas v ON v."id" = n."id" '
        'WHERE (n."titulo", n."descripcion", n."cursoId") '
        'IS DISTINCT FROM (v."titulo", v."descripcion", v."cursoId")',
    ),
    (
        "_amauta_busqueda_leccion_delete",
        "Leccion",
        "DELETE",
        "OLD TABLE AS viejas",
        'SELECT DISTINCT "cursoId" FROM viejas',
    ),
]


def _pg_funcion_disparador(nombre: str, cuerpo: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION "{nombre}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM amauta_busqueda_actualizar(ARRAY({cuerpo}));
    RETURN NULL;
END
$$
"""


def _pg_upgrade() -> None:
    for sql in PG_FUNCIONES + PG_TABLA:
        op.execute(sql)
    for nombre, tabla, evento, transiciones, cuerpo in PG_DISPARADORES:
        op.execute(_pg_funcion_disparador(nombre, cuerpo))
        op.execute(
            f'CREATE TRIGGER "{nombre}" AFTER {evento} ON "{tabla}" REFERENCING {transiciones} '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{nombre}"()'
        )
    op.execute('SELECT amauta_busqueda_actualizar(ARRAY(SELECT "id" FROM "Curso"))')


def _pg_downgrade() -> None:
    for nombre, tabla, *_ in reversed(PG_DISPARADORES):
        op.execute(f'DROP TRIGGER IF EXISTS "{nombre}" ON "{tabla}"')
        op.execute(f'DROP FUNCTION IF EXISTS "{nombre}"()')
    op.execute('DROP TABLE "_amauta_busqueda_curso"')
    op.execute("DROP FUNCTION IF EXISTS amauta_busqueda_actualizar(text[])")
    op.execute("DROP FUNCTION IF EXISTS amauta_documento_curso(text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS amauta_sin_acentos(text)")


# --- SQLite ------------------------------------------------------------------------------------
_LECCIONES_DE = (
    "(SELECT amauta_lexemas(group_concat(l.\"titulo\" || ' ' || coalesce(l.\"descripcion\", ''), ' ')) "
    'FROM "Leccion" l WHERE l."cursoId" = {curso})'
)
_N_DE = '(SELECT "n" FROM "_amauta_busqueda_curso" WHERE "cursoId" = {curso})'

SQLITE_TABLAS = [
    'CREATE TABLE "_amauta_busqueda_curso" ("n" INTEGER PRIMARY KEY, "cursoId" TEXT NOT NULL UNIQUE)',
    'CREATE VIRTUAL TABLE "_amauta_busqueda_fts" USING fts5(titulo, descripcion, lecciones, '
    "tokenize = 'unicode61')",
]

SQLITE_DISPARADORES = {
    "_amauta_busqueda_curso_insert": f"""
CREATE TRIGGER "_amauta_busqueda_curso_insert" AFTER INSERT ON "Curso" BEGIN
    INSERT INTO "_amauta_busqueda_curso" ("cursoId") VALUES (new."id");
    INSERT INTO "_amauta_busqueda_fts" (rowid, titulo, descripcion, lecciones)
    VALUES ({_N_DE.format(curso='new."id"')}, amauta_lexemas(new."titulo"),
            amauta_lexemas(new."descripcion"), {_LECCIONES_DE.format(curso='new."id"')});
END
""",
    "_amauta_busqueda_curso_update": f"""
CREATE TRIGGER "_amauta_busqueda_curso_update" AFTER UPDATE OF "id", "titulo", "descripcion"
ON "Curso" BEGIN
    UPDATE "_amauta_busqueda_curso" SET "cursoId" = new."id" WHERE "cursoId" = old."id";
    UPDATE "_amauta_busqueda_fts"
    SET titulo = amauta_lexemas(new."titulo"), descripcion = amauta_lexemas(new."descripcion")
    WHERE rowid = {_N_DE.format(curso='new."id"')};
END
""",
    "_amauta_busqueda_curso_delete": f"""
CREATE TRIGGER "_amauta_busqueda_curso_delete" AFTER DELETE ON "Curso" BEGIN
    DELETE FROM "_amauta_busqueda_fts" WHERE rowid = {_N_DE.format(curso='old."id"')};
    DELETE FROM "_amauta_busqueda_curso" WHERE "cursoId" = old."id";
END
""",
    "_amauta_busqueda_leccion_insert": f"""
CREATE TRIGGER "_amauta_busqueda_leccion_insert" AFTER INSERT ON "Leccion" BEGIN
    UPDATE "_amauta_busqueda_fts" SET lecciones = {_LECCIONES_DE.format(curso='new."cursoId"')}
    WHERE rowid = {_N_DE.format(curso='new."cursoId"')};
END
""",
    "_amauta_busqueda_leccion_update": f"""
CREATE TRIGGER "_amauta_busqueda_leccion_update"
AFTER UPDATE OF "titulo", "descripcion", "cursoId" ON "Leccion" BEGIN
    UPDATE "_amauta_busqueda_fts" SET lecciones = {_LECCIONES_DE.format(curso='new."cursoId"')}
    WHERE rowid = {_N_DE.format(curso='new."cursoId"')};
    UPDATE "_amauta_busqueda_fts" SET lecciones = {_LECCIONES_DE.format(curso='old."cursoId"')}
    WHERE rowid = {_N_DE.format(curso='old."cursoId"')} AND old."cursoId" <> new."cursoId";
END
""",
    "_amauta_busqueda_leccion_delete": f"""
CREATE TRIGGER "_amauta_busqueda_leccion_delete" AFTER DELETE ON "Leccion" BEGIN
    UPDATE "_amauta_busqueda_fts" SET lecciones = {_LECCIONES_DE.format(curso='old."cursoId"')}
    WHERE rowid = {_N_DE.format(curso='old."cursoId"')};
END
""",
}

#: Carga (o recarga) completa del índice de SQLite con los cursos existentes.
SQLITE_CARGA = [
    'DELETE FROM "_amauta_busqueda_fts"',
    'DELETE FROM "_amauta_busqueda_curso"',
    'INSERT INTO "_amauta_busqueda_curso" ("cursoId") SELECT "id" FROM "Curso" ORDER BY "createdAt", "id"',
    f"""
INSERT INTO "_amauta_busqueda_fts" (rowid, titulo, descripcion, lecciones)
SELECT b."n", amauta_lexemas(c."titulo"), amauta_lexemas(c."descripcion"),
       {_LECCIONES_DE.format(curso='c."id"')}
FROM "_amauta_busqueda_curso" b JOIN "Curso" c ON c."id" = b."cursoId"
""",
]


def _sqlite_upgrade() -> None:
    for sql in SQLITE_TABLAS + list(SQLITE_DISPARADORES.values()) + SQLITE_CARGA:
        op.execute(sql)


def _sqlite_downgrade() -> None:
    for nombre in reversed(list(SQLITE_DISPARADORES)):
        op.execute(f'DROP TRIGGER IF EXISTS "{nombre}"')
    op.execute('DROP TABLE "_amauta_busqueda_fts"')
    op.execute('DROP TABLE "_amauta_busqueda_curso"')


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
