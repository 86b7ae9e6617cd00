"""Tabla propia de amauta ``_amauta_meta`` (clave/valor), fuera de los modelos Prisma

Guarda, dentro de la misma base, datos de amauta como el entorno marcado con
``amauta db entorno`` (produccion, desarrollo, pruebas). El prefijo ``_`` la
separa de los modelos, como ``_prisma_migrations`` en Prisma.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    es_pg = op.get_context().dialect.name == "postgresql"
    op.create_table(
        "_amauta_meta",
        sa.Column("clave", sa.Text(), nullable=False),
        sa.Column("valor", sa.Text(), nullable=False),
        sa.Column(
            "updatedAt",
            postgresql.TIMESTAMP(precision=3) if es_pg else sa.DateTime(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("clave", name="_amauta_meta_pkey"),
    )


def downgrade() -> None:
    op.drop_table("_amauta_meta")
