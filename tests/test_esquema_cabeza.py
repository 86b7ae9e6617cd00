"""Las constantes con que los comandos de todos los días evitan cargar Alembic y los modelos."""

from __future__ import annotations

from amauta_cli.services import esquema


def test_la_cabeza_conocida_es_la_de_las_migraciones():
    """``esquema.CABEZA`` (una consulta, sin Alembic) debe ser la última revisión de migrations/.
    Una migración nueva sube también esta constante."""
    assert esquema.CABEZA == esquema.cabeza()


def test_las_tablas_de_prisma_son_las_de_los_modelos():
    from amauta_cli.models import TABLAS_PRISMA

    assert esquema.TABLAS_PRISMA == TABLAS_PRISMA
