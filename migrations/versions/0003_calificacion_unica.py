"""Calificación única por grupo, estudiante, materia y período

Agrega el índice único ``"Calificacion_grupoId_estudianteId_materia_periodo_key"``,
el que crearía Prisma para ``@@unique([grupoId, estudianteId, materia, periodo])``.
Con él, cargar dos veces la misma planilla de notas actualiza en lugar de duplicar
(``amauta calificaciones cargar`` hace un upsert sobre esta clave).

Antes de crear el índice se buscan calificaciones repetidas: si las hay, la
migración se detiene con la lista de repetidas y cómo resolverlo, sin cambiar nada
(la excepción deshace la transacción de ``amauta db migrate``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from amauta_cli.errores import ErrorMigracion

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDICE = "Calificacion_grupoId_estudianteId_materia_periodo_key"
COLUMNAS = ["grupoId", "estudianteId", "materia", "periodo"]
#: Cuántas combinaciones repetidas se listan en el mensaje (el resto se cuenta).
MAXIMO_LISTADO = 50

_REPETIDAS = sa.text(
    """
    SELECT g."nombre" AS grupo, u."email" AS email, c."materia", c."periodo", c."n"
    FROM (
        SELECT "grupoId", "estudianteId", "materia", "periodo", count(*) AS n
        FROM "Calificacion"
        GROUP BY "grupoId", "estudianteId", "materia", "periodo"
        HAVING count(*) > 1
    ) c
    JOIN "Grupo" g ON g."id" = c."grupoId"
    JOIN "Usuario" u ON u."id" = c."estudianteId"
    ORDER BY g."nombre", u."email", c."materia", c."periodo"
    """
)

#: Consulta que se sugiere al usuario para ver las filas repetidas con sus ids.
CONSULTA_SUGERIDA = (
    'SELECT c."id", g."nombre", u."email", c."materia", c."periodo", c."nota", c."updatedAt" '
    'FROM "Calificacion" c JOIN "Grupo" g ON g."id" = c."grupoId" '
    'JOIN "Usuario" u ON u."id" = c."estudianteId" '
    'WHERE (c."grupoId", c."estudianteId", c."materia", c."periodo") IN ('
    'SELECT "grupoId", "estudianteId", "materia", "periodo" FROM "Calificacion" '
    'GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) ORDER BY 2, 3, 4, 5, 7;'
)


def comprobar_repetidas(bind: sa.engine.Connection) -> None:
    """Lanza ``ErrorMigracion`` si hay calificaciones repetidas para la nueva clave única."""
    filas = bind.execute(_REPETIDAS).all()
    if not filas:
        return
    problemas = [
        f"grupo '{f.grupo}', {f.email}, {f.materia}, {f.periodo}: {f.n} calificaciones"
        for f in filas[:MAXIMO_LISTADO]
    ]
    if len(filas) > MAXIMO_LISTADO:
        problemas.append(f"... y {len(filas) - MAXIMO_LISTADO} combinaciones repetidas más")
    sobrantes = sum(f.n - 1 for f in filas)
    raise ErrorMigracion(
        f"No se aplicó la migración 0003 (una calificación por grupo, estudiante, materia y "
        f"período): 'Calificacion' tiene {len(filas)} combinaciones repetidas "
        f"({sobrantes} filas de más). No se cambió nada: la base sigue en la revisión 0002.\n"
        "Para resolverlo, deje una sola calificación por combinación: decida cuál vale, "
        "borre las demás (o corrija su materia o período si eran de otra) con psql o sqlite3, "
        "y vuelva a ejecutar `amauta db migrate`. Esta consulta muestra las repetidas con su "
        f"id y su fecha de actualización:\n  {CONSULTA_SUGERIDA}\n"
        "Repetidas (grupo, estudiante, materia, período: cuántas):",
        problemas,
    )


def upgrade() -> None:
    if not context.is_offline_mode():
        # En modo --sql no hay datos que revisar: si hubiera repetidas, fallaría el CREATE INDEX.
        comprobar_repetidas(op.get_bind())
    op.create_index(INDICE, "Calificacion", COLUMNAS, unique=True)


def downgrade() -> None:
    op.drop_index(INDICE, table_name="Calificacion")
