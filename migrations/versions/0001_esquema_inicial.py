"""Esquema inicial: los 14 modelos y 9 enums del diseño, con los nombres físicos de Prisma

Reproduce lo que ``prisma migrate`` crea en PostgreSQL a partir de
``shared/spec/base-de-datos.md``: tablas y columnas con nombres literales entre
comillas, TIMESTAMP(3), JSONB, TEXT[], tipos ENUM, claves primarias ``<Modelo>_pkey``,
índices únicos ``<Modelo>_<cols>_key``, índices ``<Modelo>_<cols>_idx`` y claves
foráneas ``<Modelo>_<col>_fkey`` con ON DELETE RESTRICT/CASCADE ON UPDATE CASCADE.
Además, los índices críticos ``Leccion(cursoId, orden)`` e
``Inscripcion(usuarioId, cursoId)`` y, solo en PostgreSQL, el índice GIN de
búsqueda de texto en español sobre ``Curso``.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ENUMS: dict[str, list[str]] = {
    "Rol": ["ESTUDIANTE", "EDUCADOR", "ADMIN_ESCUELA", "SUPER_ADMIN"],
    "Nivel": ["PRINCIPIANTE", "INTERMEDIO", "AVANZADO"],
    "EstadoCurso": ["BORRADOR", "REVISION", "PUBLICADO", "ARCHIVADO"],
    "TipoLeccion": ["VIDEO", "TEXTO", "QUIZ", "INTERACTIVO", "DESCARGABLE"],
    "EstadoInscripcion": ["ACTIVO", "COMPLETADO", "ABANDONADO"],
    "TipoInstitucion": ["ESCUELA", "COLEGIO", "UNIVERSIDAD", "CENTRO_FORMACION"],
    "EstadoAsistencia": ["PRESENTE", "AUSENTE", "TARDANZA", "JUSTIFICADO"],
    "TipoComunicado": ["GENERAL", "ACADEMICO", "ADMINISTRATIVO", "EVENTO", "URGENTE"],
    "Prioridad": ["BAJA", "NORMAL", "ALTA", "URGENTE"],
}

TABLAS = [
    "Usuario",
    "Perfil",
    "Categoria",
    "Curso",
    "Leccion",
    "Recurso",
    "Inscripcion",
    "Progreso",
    "Institucion",
    "Grupo",
    "GrupoEstudiante",
    "Asistencia",
    "Calificacion",
    "Comunicado",
]


def _es_pg() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _ts():
    return postgresql.TIMESTAMP(precision=3) if _es_pg() else sa.DateTime()


def _json():
    return postgresql.JSONB() if _es_pg() else sa.JSON()


def _lista_texto():
    return postgresql.ARRAY(sa.Text()) if _es_pg() else sa.JSON()


def _enum(nombre: str):
    if _es_pg():
        return postgresql.ENUM(*ENUMS[nombre], name=nombre, create_type=False)
    return sa.Enum(*ENUMS[nombre], name=nombre, native_enum=False, create_constraint=False)


def _id():
    return sa.Column("id", sa.Text(), nullable=False)


def _creado(nombre: str = "createdAt"):
    return sa.Column(nombre, _ts(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP"))


def _actualizado():
    return sa.Column("updatedAt", _ts(), nullable=False)


def _pk(tabla: str, *cols: str):
    return sa.PrimaryKeyConstraint(*(cols or ("id",)), name=f"{tabla}_pkey")


def _fk(tabla: str, col: str, destino: str, cascada: bool = False):
    return sa.ForeignKeyConstraint(
        [col],
        [f"{destino}.id"],
        name=f"{tabla}_{col}_fkey",
        ondelete="CASCADE" if cascada else "RESTRICT",
        onupdate="CASCADE",
    )


def _unico(tabla: str, *cols: str) -> None:
    op.create_index(f"{tabla}_{'_'.join(cols)}_key", tabla, list(cols), unique=True)


def _indice(tabla: str, *cols: str) -> None:
    op.create_index(f"{tabla}_{'_'.join(cols)}_idx", tabla, list(cols))


def upgrade() -> None:
    if _es_pg():
        # Con op.execute también funciona en modo --sql (sin conexión).
        for nombre, valores in ENUMS.items():
            lista = ", ".join(f"'{v}'" for v in valores)
            op.execute(f'CREATE TYPE "{nombre}" AS ENUM ({lista})')

    op.create_table(
        "Usuario",
        _id(),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("apellido", sa.Text(), nullable=False),
        sa.Column("rol", _enum("Rol"), nullable=False, server_default=sa.text("'ESTUDIANTE'")),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("avatar", sa.Text(), nullable=True),
        sa.Column("activo", sa.Boolean(), nullable=False, server_default=sa.text("true")),
        sa.Column("emailVerificado", _ts(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Usuario"),
    )
    op.create_table(
        "Perfil",
        _id(),
        sa.Column("usuarioId", sa.Text(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("telefono", sa.Text(), nullable=True),
        sa.Column("pais", sa.Text(), nullable=True),
        sa.Column("ciudad", sa.Text(), nullable=True),
        sa.Column("institucion", sa.Text(), nullable=True),
        sa.Column("matricula", sa.Text(), nullable=True),
        sa.Column("grado", sa.Text(), nullable=True),
        sa.Column("especialidad", _lista_texto(), nullable=True),
        sa.Column("experiencia", sa.Integer(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Perfil"),
        _fk("Perfil", "usuarioId", "Usuario"),
    )
    op.create_table(
        "Categoria",
        _id(),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("descripcion", sa.Text(), nullable=True),
        sa.Column("icono", sa.Text(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Categoria"),
    )
    op.create_table(
        "Curso",
        _id(),
        sa.Column("titulo", sa.Text(), nullable=False),
        sa.Column("descripcion", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("educadorId", sa.Text(), nullable=False),
        sa.Column("categoriaId", sa.Text(), nullable=False),
        sa.Column("nivel", _enum("Nivel"), nullable=False),
        sa.Column(
            "estado", _enum("EstadoCurso"), nullable=False, server_default=sa.text("'BORRADOR'")
        ),
        sa.Column("imagen", sa.Text(), nullable=True),
        sa.Column("duracion", sa.Integer(), nullable=True),
        sa.Column("idioma", sa.Text(), nullable=False, server_default=sa.text("'es'")),
        sa.Column("publicadoEn", _ts(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Curso"),
        _fk("Curso", "educadorId", "Usuario"),
        _fk("Curso", "categoriaId", "Categoria"),
    )
    op.create_table(
        "Leccion",
        _id(),
        sa.Column("titulo", sa.Text(), nullable=False),
        sa.Column("descripcion", sa.Text(), nullable=True),
        sa.Column("orden", sa.Integer(), nullable=False),
        sa.Column("cursoId", sa.Text(), nullable=False),
        sa.Column("tipo", _enum("TipoLeccion"), nullable=False),
        sa.Column("duracion", sa.Integer(), nullable=True),
        sa.Column("contenido", _json(), nullable=False),
        sa.Column("publicada", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        _creado(),
        _actualizado(),
        _pk("Leccion"),
        _fk("Leccion", "cursoId", "Curso", cascada=True),
    )
    op.create_table(
        "Recurso",
        _id(),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("tipo", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("tamano", sa.Integer(), nullable=True),
        sa.Column("leccionId", sa.Text(), nullable=False),
        sa.Column(
            "disponibleOffline", sa.Boolean(), nullable=False, server_default=sa.text("false")
        ),
        _creado(),
        _actualizado(),
        _pk("Recurso"),
        _fk("Recurso", "leccionId", "Leccion", cascada=True),
    )
    op.create_table(
        "Inscripcion",
        _id(),
        sa.Column("usuarioId", sa.Text(), nullable=False),
        sa.Column("cursoId", sa.Text(), nullable=False),
        sa.Column(
            "estado",
            _enum("EstadoInscripcion"),
            nullable=False,
            server_default=sa.text("'ACTIVO'"),
        ),
        sa.Column("progreso", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _creado("inscritoEn"),
        sa.Column("completadoEn", _ts(), nullable=True),
        _pk("Inscripcion"),
        _fk("Inscripcion", "usuarioId", "Usuario"),
        _fk("Inscripcion", "cursoId", "Curso"),
    )
    op.create_table(
        "Progreso",
        _id(),
        sa.Column("usuarioId", sa.Text(), nullable=False),
        sa.Column("leccionId", sa.Text(), nullable=False),
        sa.Column("completado", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("porcentaje", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _creado("ultimoAcceso"),
        sa.Column("completadoEn", _ts(), nullable=True),
        sa.Column("intentos", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("mejorPuntaje", sa.Double(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Progreso"),
        _fk("Progreso", "usuarioId", "Usuario"),
        _fk("Progreso", "leccionId", "Leccion"),
    )
    op.create_table(
        "Institucion",
        _id(),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("tipo", _enum("TipoInstitucion"), nullable=False),
        sa.Column("direccion", sa.Text(), nullable=True),
        sa.Column("telefono", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("activa", sa.Boolean(), nullable=False, server_default=sa.text("true")),
        _creado(),
        _actualizado(),
        _pk("Institucion"),
    )
    op.create_table(
        "Grupo",
        _id(),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("grado", sa.Text(), nullable=True),
        sa.Column("seccion", sa.Text(), nullable=True),
        sa.Column("institucionId", sa.Text(), nullable=False),
        sa.Column("educadorId", sa.Text(), nullable=False),
        sa.Column("activo", sa.Boolean(), nullable=False, server_default=sa.text("true")),
        _creado(),
        _actualizado(),
        _pk("Grupo"),
        _fk("Grupo", "institucionId", "Institucion"),
        _fk("Grupo", "educadorId", "Usuario"),
    )
    op.create_table(
        "GrupoEstudiante",
        sa.Column("grupoId", sa.Text(), nullable=False),
        sa.Column("estudianteId", sa.Text(), nullable=False),
        _creado("inscritoEn"),
        _pk("GrupoEstudiante", "grupoId", "estudianteId"),
        _fk("GrupoEstudiante", "grupoId", "Grupo"),
        _fk("GrupoEstudiante", "estudianteId", "Usuario"),
    )
    op.create_table(
        "Asistencia",
        _id(),
        sa.Column("grupoId", sa.Text(), nullable=False),
        sa.Column("estudianteId", sa.Text(), nullable=False),
        sa.Column("fecha", _ts(), nullable=False),
        sa.Column("estado", _enum("EstadoAsistencia"), nullable=False),
        sa.Column("observaciones", sa.Text(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Asistencia"),
        _fk("Asistencia", "grupoId", "Grupo"),
        _fk("Asistencia", "estudianteId", "Usuario"),
    )
    op.create_table(
        "Calificacion",
        _id(),
        sa.Column("grupoId", sa.Text(), nullable=False),
        sa.Column("estudianteId", sa.Text(), nullable=False),
        sa.Column("materia", sa.Text(), nullable=False),
        sa.Column("periodo", sa.Text(), nullable=False),
        sa.Column("nota", sa.Double(), nullable=False),
        sa.Column("notaMaxima", sa.Double(), nullable=False, server_default=sa.text("10")),
        sa.Column("observaciones", sa.Text(), nullable=True),
        _creado(),
        _actualizado(),
        _pk("Calificacion"),
        _fk("Calificacion", "grupoId", "Grupo"),
        _fk("Calificacion", "estudianteId", "Usuario"),
    )
    op.create_table(
        "Comunicado",
        _id(),
        sa.Column("institucionId", sa.Text(), nullable=False),
        sa.Column("autorId", sa.Text(), nullable=False),
        sa.Column("titulo", sa.Text(), nullable=False),
        sa.Column("contenido", sa.Text(), nullable=False),
        sa.Column("tipo", _enum("TipoComunicado"), nullable=False),
        sa.Column(
            "prioridad", _enum("Prioridad"), nullable=False, server_default=sa.text("'NORMAL'")
        ),
        _creado("publicadoEn"),
        _creado(),
        _actualizado(),
        _pk("Comunicado"),
        _fk("Comunicado", "institucionId", "Institucion"),
        _fk("Comunicado", "autorId", "Usuario"),
    )

    # Índices, con los nombres que genera Prisma (@unique -> _key, @@index -> _idx).
    _unico("Usuario", "email")
    _indice("Usuario", "email")
    _indice("Usuario", "rol")
    _unico("Perfil", "usuarioId")
    _unico("Categoria", "nombre")
    _unico("Categoria", "slug")
    _indice("Categoria", "slug")
    _unico("Curso", "slug")
    _indice("Curso", "educadorId")
    _indice("Curso", "categoriaId")
    _indice("Curso", "estado")
    _indice("Curso", "slug")
    _indice("Leccion", "cursoId")
    _indice("Leccion", "orden")
    _indice("Leccion", "cursoId", "orden")
    _indice("Recurso", "leccionId")
    _unico("Inscripcion", "usuarioId", "cursoId")
    _indice("Inscripcion", "usuarioId")
    _indice("Inscripcion", "cursoId")
    _indice("Inscripcion", "usuarioId", "cursoId")
    _unico("Progreso", "usuarioId", "leccionId")
    _indice("Progreso", "usuarioId")
    _indice("Progreso", "leccionId")
    _indice("Grupo", "institucionId")
    _indice("Grupo", "educadorId")
    _unico("Asistencia", "grupoId", "estudianteId", "fecha")
    _indice("Asistencia", "grupoId", "fecha")
    _indice("Asistencia", "estudianteId")
    _indice("Calificacion", "grupoId")
    _indice("Calificacion", "estudianteId")
    _indice("Comunicado", "institucionId")
    _indice("Comunicado", "tipo")

    if _es_pg():
        # Búsqueda de cursos en español (sección "Full-Text Search" del diseño).
        op.execute(
            'CREATE INDEX "idx_curso_busqueda" ON "Curso" '
            "USING GIN (to_tsvector('spanish', titulo || ' ' || descripcion))"
        )


def downgrade() -> None:
    if _es_pg():
        op.execute('DROP INDEX IF EXISTS "idx_curso_busqueda"')
    for tabla in reversed(TABLAS):
        op.drop_table(tabla)
    if _es_pg():
        for nombre in reversed(list(ENUMS)):
            op.execute(f'DROP TYPE "{nombre}"')
