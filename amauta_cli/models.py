"""Modelos SQLAlchemy 2.0 que reflejan uno a uno los modelos Prisma del diseño.

Los nombres físicos (tablas, columnas, tipos enum, índices, claves) son los que
crea ``prisma migrate`` para ``../shared/spec/base-de-datos.md``: así la
aplicación Prisma de la plataforma y amauta comparten una misma base.

Los atributos Python conservan los nombres de campo de Prisma (``usuarioId``,
``createdAt``...), de modo que el nombre que se lee en el código es el de la columna.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from amauta_cli.ids import ahora, cuid

# --- Tipos con variante por motor -------------------------------------------------
#: ``DateTime`` de Prisma: TIMESTAMP(3) sin zona horaria en PostgreSQL.
FechaHora = DateTime().with_variant(postgresql.TIMESTAMP(precision=3), "postgresql")
#: ``Json`` de Prisma: JSONB en PostgreSQL, JSON (texto) en SQLite.
Json = JSON().with_variant(postgresql.JSONB(), "postgresql")
#: ``String[]`` de Prisma: TEXT[] en PostgreSQL, una lista JSON en SQLite.
ListaTexto = JSON().with_variant(postgresql.ARRAY(Text()), "postgresql")


# --- Enums -------------------------------------------------------------------------
# Viven en ``amauta_cli.enums`` (sin SQLAlchemy): los comandos de todos los días los usan sin
# cargar los modelos.
from amauta_cli.enums import (  # noqa: E402
    EstadoAsistencia,
    EstadoCurso,
    EstadoInscripcion,
    Nivel,
    Prioridad,
    Rol,
    TipoComunicado,
    TipoInstitucion,
    TipoLeccion,
)


#: Los 9 enums del diseño, por su nombre de tipo en PostgreSQL.
ENUMS: dict[str, type[enum.StrEnum]] = {
    e.__name__: e
    for e in (
        Rol,
        Nivel,
        EstadoCurso,
        TipoLeccion,
        EstadoInscripcion,
        TipoInstitucion,
        EstadoAsistencia,
        TipoComunicado,
        Prioridad,
    )
}


def tipo_enum(e: type[enum.StrEnum]) -> Enum:
    """Tipo SQL de un enum: ``CREATE TYPE "<Nombre>" AS ENUM`` en PostgreSQL, texto en SQLite."""
    return Enum(
        e,
        name=e.__name__,
        native_enum=True,
        create_constraint=False,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


# --- Helpers de columnas -------------------------------------------------------------
def fk(destino: str, nombre: str, cascada: bool = False) -> ForeignKey:
    """Clave foránea con las acciones por defecto de Prisma."""
    return ForeignKey(
        destino,
        name=nombre,
        ondelete="CASCADE" if cascada else "RESTRICT",
        onupdate="CASCADE",
    )


def col_id() -> Any:
    return mapped_column(Text, primary_key=True, default=cuid)


def col_creado() -> Any:
    return mapped_column(
        FechaHora, nullable=False, default=ahora, server_default=text("CURRENT_TIMESTAMP")
    )


def col_actualizado() -> Any:
    return mapped_column(FechaHora, nullable=False, default=ahora, onupdate=ahora)


metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


# --- Modelos principales -------------------------------------------------------------
class Usuario(Base):
    __tablename__ = "Usuario"

    id: Mapped[str] = col_id()
    email: Mapped[str] = mapped_column(Text, nullable=False)
    nombre: Mapped[str] = mapped_column(Text, nullable=False)
    apellido: Mapped[str] = mapped_column(Text, nullable=False)
    rol: Mapped[Rol] = mapped_column(
        tipo_enum(Rol), nullable=False, default=Rol.ESTUDIANTE, server_default=text("'ESTUDIANTE'")
    )
    password: Mapped[str] = mapped_column(Text, nullable=False)
    avatar: Mapped[Optional[str]] = mapped_column(Text)
    activo: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    emailVerificado: Mapped[Optional[datetime]] = mapped_column(FechaHora)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    cursosCreados: Mapped[list[Curso]] = relationship(back_populates="educador")
    inscripciones: Mapped[list[Inscripcion]] = relationship(back_populates="usuario")
    progresos: Mapped[list[Progreso]] = relationship(back_populates="usuario")
    perfil: Mapped[Optional[Perfil]] = relationship(back_populates="usuario", uselist=False)
    gruposEducador: Mapped[list[Grupo]] = relationship(back_populates="educador")
    gruposEstudiante: Mapped[list[GrupoEstudiante]] = relationship(back_populates="estudiante")
    asistencias: Mapped[list[Asistencia]] = relationship(back_populates="estudiante")
    calificaciones: Mapped[list[Calificacion]] = relationship(back_populates="estudiante")
    comunicados: Mapped[list[Comunicado]] = relationship(back_populates="autor")

    __table_args__ = (
        Index("Usuario_email_key", "email", unique=True),
        Index("Usuario_email_idx", "email"),
        Index("Usuario_rol_idx", "rol"),
    )


class Perfil(Base):
    __tablename__ = "Perfil"

    id: Mapped[str] = col_id()
    usuarioId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Perfil_usuarioId_fkey"), nullable=False
    )
    bio: Mapped[Optional[str]] = mapped_column(Text)
    telefono: Mapped[Optional[str]] = mapped_column(Text)
    pais: Mapped[Optional[str]] = mapped_column(Text)
    ciudad: Mapped[Optional[str]] = mapped_column(Text)
    institucion: Mapped[Optional[str]] = mapped_column(Text)
    matricula: Mapped[Optional[str]] = mapped_column(Text)
    grado: Mapped[Optional[str]] = mapped_column(Text)
    especialidad: Mapped[Optional[list[str]]] = mapped_column(ListaTexto)
    experiencia: Mapped[Optional[int]] = mapped_column(Integer)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    usuario: Mapped[Usuario] = relationship(back_populates="perfil")

    __table_args__ = (Index("Perfil_usuarioId_key", "usuarioId", unique=True),)


class Categoria(Base):
    __tablename__ = "Categoria"

    id: Mapped[str] = col_id()
    nombre: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, nullable=False)
    descripcion: Mapped[Optional[str]] = mapped_column(Text)
    icono: Mapped[Optional[str]] = mapped_column(Text)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    cursos: Mapped[list[Curso]] = relationship(back_populates="categoria")

    __table_args__ = (
        Index("Categoria_nombre_key", "nombre", unique=True),
        Index("Categoria_slug_key", "slug", unique=True),
        Index("Categoria_slug_idx", "slug"),
    )


class Curso(Base):
    __tablename__ = "Curso"

    id: Mapped[str] = col_id()
    titulo: Mapped[str] = mapped_column(Text, nullable=False)
    descripcion: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, nullable=False)
    educadorId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Curso_educadorId_fkey"), nullable=False
    )
    categoriaId: Mapped[str] = mapped_column(
        Text, fk("Categoria.id", "Curso_categoriaId_fkey"), nullable=False
    )
    nivel: Mapped[Nivel] = mapped_column(tipo_enum(Nivel), nullable=False)
    estado: Mapped[EstadoCurso] = mapped_column(
        tipo_enum(EstadoCurso),
        nullable=False,
        default=EstadoCurso.BORRADOR,
        server_default=text("'BORRADOR'"),
    )
    imagen: Mapped[Optional[str]] = mapped_column(Text)
    duracion: Mapped[Optional[int]] = mapped_column(Integer)
    idioma: Mapped[str] = mapped_column(
        Text, nullable=False, default="es", server_default=text("'es'")
    )
    publicadoEn: Mapped[Optional[datetime]] = mapped_column(FechaHora)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    # El nombre de la relación del diseño (@relation("Educador")), para `amauta db prisma`.
    educador: Mapped[Usuario] = relationship(back_populates="cursosCreados", info={"relacion": "Educador"})
    categoria: Mapped[Categoria] = relationship(back_populates="cursos")
    lecciones: Mapped[list[Leccion]] = relationship(
        back_populates="curso", order_by="Leccion.orden", passive_deletes=True
    )
    inscripciones: Mapped[list[Inscripcion]] = relationship(back_populates="curso")

    __table_args__ = (
        Index("Curso_slug_key", "slug", unique=True),
        Index("Curso_educadorId_idx", "educadorId"),
        Index("Curso_categoriaId_idx", "categoriaId"),
        Index("Curso_estado_idx", "estado"),
        Index("Curso_slug_idx", "slug"),
    )


class Leccion(Base):
    __tablename__ = "Leccion"

    id: Mapped[str] = col_id()
    titulo: Mapped[str] = mapped_column(Text, nullable=False)
    descripcion: Mapped[Optional[str]] = mapped_column(Text)
    orden: Mapped[int] = mapped_column(Integer, nullable=False)
    cursoId: Mapped[str] = mapped_column(
        Text, fk("Curso.id", "Leccion_cursoId_fkey", cascada=True), nullable=False
    )
    tipo: Mapped[TipoLeccion] = mapped_column(tipo_enum(TipoLeccion), nullable=False)
    duracion: Mapped[Optional[int]] = mapped_column(Integer)
    contenido: Mapped[Any] = mapped_column(Json, nullable=False)
    publicada: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    curso: Mapped[Curso] = relationship(back_populates="lecciones")
    recursos: Mapped[list[Recurso]] = relationship(
        back_populates="leccion", passive_deletes=True
    )
    progresos: Mapped[list[Progreso]] = relationship(back_populates="leccion")

    __table_args__ = (
        Index("Leccion_cursoId_idx", "cursoId"),
        Index("Leccion_orden_idx", "orden"),
        Index("Leccion_cursoId_orden_idx", "cursoId", "orden"),
    )


class Recurso(Base):
    __tablename__ = "Recurso"

    id: Mapped[str] = col_id()
    nombre: Mapped[str] = mapped_column(Text, nullable=False)
    tipo: Mapped[str] = mapped_column(Text, nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    tamano: Mapped[Optional[int]] = mapped_column(Integer)
    leccionId: Mapped[str] = mapped_column(
        Text, fk("Leccion.id", "Recurso_leccionId_fkey", cascada=True), nullable=False
    )
    disponibleOffline: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    leccion: Mapped[Leccion] = relationship(back_populates="recursos")

    __table_args__ = (Index("Recurso_leccionId_idx", "leccionId"),)


class Inscripcion(Base):
    __tablename__ = "Inscripcion"

    id: Mapped[str] = col_id()
    usuarioId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Inscripcion_usuarioId_fkey"), nullable=False
    )
    cursoId: Mapped[str] = mapped_column(
        Text, fk("Curso.id", "Inscripcion_cursoId_fkey"), nullable=False
    )
    estado: Mapped[EstadoInscripcion] = mapped_column(
        tipo_enum(EstadoInscripcion),
        nullable=False,
        default=EstadoInscripcion.ACTIVO,
        server_default=text("'ACTIVO'"),
    )
    progreso: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default=text("0")
    )
    inscritoEn: Mapped[datetime] = col_creado()
    completadoEn: Mapped[Optional[datetime]] = mapped_column(FechaHora)

    usuario: Mapped[Usuario] = relationship(back_populates="inscripciones")
    curso: Mapped[Curso] = relationship(back_populates="inscripciones")

    __table_args__ = (
        Index("Inscripcion_usuarioId_cursoId_key", "usuarioId", "cursoId", unique=True),
        Index("Inscripcion_usuarioId_idx", "usuarioId"),
        Index("Inscripcion_cursoId_idx", "cursoId"),
        Index("Inscripcion_usuarioId_cursoId_idx", "usuarioId", "cursoId"),
    )


class Progreso(Base):
    __tablename__ = "Progreso"

    id: Mapped[str] = col_id()
    usuarioId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Progreso_usuarioId_fkey"), nullable=False
    )
    leccionId: Mapped[str] = mapped_column(
        Text, fk("Leccion.id", "Progreso_leccionId_fkey"), nullable=False
    )
    completado: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    porcentaje: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default=text("0")
    )
    ultimoAcceso: Mapped[datetime] = col_creado()
    completadoEn: Mapped[Optional[datetime]] = mapped_column(FechaHora)
    intentos: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default=text("0")
    )
    mejorPuntaje: Mapped[Optional[float]] = mapped_column(Double)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    usuario: Mapped[Usuario] = relationship(back_populates="progresos")
    leccion: Mapped[Leccion] = relationship(back_populates="progresos")

    __table_args__ = (
        Index("Progreso_usuarioId_leccionId_key", "usuarioId", "leccionId", unique=True),
        Index("Progreso_usuarioId_idx", "usuarioId"),
        Index("Progreso_leccionId_idx", "leccionId"),
    )


# --- Módulo administrativo escolar ---------------------------------------------------
class Institucion(Base):
    __tablename__ = "Institucion"

    id: Mapped[str] = col_id()
    nombre: Mapped[str] = mapped_column(Text, nullable=False)
    tipo: Mapped[TipoInstitucion] = mapped_column(tipo_enum(TipoInstitucion), nullable=False)
    direccion: Mapped[Optional[str]] = mapped_column(Text)
    telefono: Mapped[Optional[str]] = mapped_column(Text)
    email: Mapped[Optional[str]] = mapped_column(Text)
    activa: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    grupos: Mapped[list[Grupo]] = relationship(back_populates="institucion")
    comunicados: Mapped[list[Comunicado]] = relationship(back_populates="institucion")


class Grupo(Base):
    __tablename__ = "Grupo"

    id: Mapped[str] = col_id()
    nombre: Mapped[str] = mapped_column(Text, nullable=False)
    grado: Mapped[Optional[str]] = mapped_column(Text)
    seccion: Mapped[Optional[str]] = mapped_column(Text)
    institucionId: Mapped[str] = mapped_column(
        Text, fk("Institucion.id", "Grupo_institucionId_fkey"), nullable=False
    )
    educadorId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Grupo_educadorId_fkey"), nullable=False
    )
    activo: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    institucion: Mapped[Institucion] = relationship(back_populates="grupos")
    educador: Mapped[Usuario] = relationship(back_populates="gruposEducador")
    estudiantes: Mapped[list[GrupoEstudiante]] = relationship(back_populates="grupo")
    asistencias: Mapped[list[Asistencia]] = relationship(back_populates="grupo")
    calificaciones: Mapped[list[Calificacion]] = relationship(back_populates="grupo")

    __table_args__ = (
        Index("Grupo_institucionId_idx", "institucionId"),
        Index("Grupo_educadorId_idx", "educadorId"),
    )


class GrupoEstudiante(Base):
    __tablename__ = "GrupoEstudiante"

    grupoId: Mapped[str] = mapped_column(
        Text, fk("Grupo.id", "GrupoEstudiante_grupoId_fkey"), primary_key=True
    )
    estudianteId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "GrupoEstudiante_estudianteId_fkey"), primary_key=True
    )
    inscritoEn: Mapped[datetime] = col_creado()

    grupo: Mapped[Grupo] = relationship(back_populates="estudiantes")
    estudiante: Mapped[Usuario] = relationship(back_populates="gruposEstudiante")


class Asistencia(Base):
    __tablename__ = "Asistencia"

    id: Mapped[str] = col_id()
    grupoId: Mapped[str] = mapped_column(
        Text, fk("Grupo.id", "Asistencia_grupoId_fkey"), nullable=False
    )
    estudianteId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Asistencia_estudianteId_fkey"), nullable=False
    )
    #: Fecha de calendario guardada como medianoche (00:00:00.000) de ese día.
    fecha: Mapped[datetime] = mapped_column(FechaHora, nullable=False)
    estado: Mapped[EstadoAsistencia] = mapped_column(
        tipo_enum(EstadoAsistencia), nullable=False
    )
    observaciones: Mapped[Optional[str]] = mapped_column(Text)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    grupo: Mapped[Grupo] = relationship(back_populates="asistencias")
    estudiante: Mapped[Usuario] = relationship(back_populates="asistencias")

    __table_args__ = (
        Index(
            "Asistencia_grupoId_estudianteId_fecha_key",
            "grupoId",
            "estudianteId",
            "fecha",
            unique=True,
        ),
        Index("Asistencia_grupoId_fecha_idx", "grupoId", "fecha"),
        Index("Asistencia_estudianteId_idx", "estudianteId"),
    )


class Calificacion(Base):
    __tablename__ = "Calificacion"

    id: Mapped[str] = col_id()
    grupoId: Mapped[str] = mapped_column(
        Text, fk("Grupo.id", "Calificacion_grupoId_fkey"), nullable=False
    )
    estudianteId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Calificacion_estudianteId_fkey"), nullable=False
    )
    materia: Mapped[str] = mapped_column(Text, nullable=False)
    periodo: Mapped[str] = mapped_column(Text, nullable=False)
    nota: Mapped[float] = mapped_column(Double, nullable=False)
    notaMaxima: Mapped[float] = mapped_column(
        Double, nullable=False, default=10.0, server_default=text("10")
    )
    observaciones: Mapped[Optional[str]] = mapped_column(Text)
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    grupo: Mapped[Grupo] = relationship(back_populates="calificaciones")
    estudiante: Mapped[Usuario] = relationship(back_populates="calificaciones")

    __table_args__ = (
        # Migración 0003: una calificación por grupo, estudiante, materia y período
        # (lo que Prisma crea para @@unique([grupoId, estudianteId, materia, periodo])).
        Index(
            "Calificacion_grupoId_estudianteId_materia_periodo_key",
            "grupoId",
            "estudianteId",
            "materia",
            "periodo",
            unique=True,
        ),
        Index("Calificacion_grupoId_idx", "grupoId"),
        Index("Calificacion_estudianteId_idx", "estudianteId"),
    )


class Comunicado(Base):
    __tablename__ = "Comunicado"

    id: Mapped[str] = col_id()
    institucionId: Mapped[str] = mapped_column(
        Text, fk("Institucion.id", "Comunicado_institucionId_fkey"), nullable=False
    )
    autorId: Mapped[str] = mapped_column(
        Text, fk("Usuario.id", "Comunicado_autorId_fkey"), nullable=False
    )
    titulo: Mapped[str] = mapped_column(Text, nullable=False)
    contenido: Mapped[str] = mapped_column(Text, nullable=False)
    tipo: Mapped[TipoComunicado] = mapped_column(tipo_enum(TipoComunicado), nullable=False)
    prioridad: Mapped[Prioridad] = mapped_column(
        tipo_enum(Prioridad),
        nullable=False,
        default=Prioridad.NORMAL,
        server_default=text("'NORMAL'"),
    )
    publicadoEn: Mapped[datetime] = col_creado()
    createdAt: Mapped[datetime] = col_creado()
    updatedAt: Mapped[datetime] = col_actualizado()

    institucion: Mapped[Institucion] = relationship(back_populates="comunicados")
    autor: Mapped[Usuario] = relationship(back_populates="comunicados")

    __table_args__ = (
        Index("Comunicado_institucionId_idx", "institucionId"),
        Index("Comunicado_tipo_idx", "tipo"),
    )


#: Los 14 modelos del diseño, en orden de dependencias (padres primero).
MODELOS: list[type[Base]] = [
    Usuario,
    Perfil,
    Categoria,
    Curso,
    Leccion,
    Recurso,
    Inscripcion,
    Progreso,
    Institucion,
    Grupo,
    GrupoEstudiante,
    Asistencia,
    Calificacion,
    Comunicado,
]
TABLAS_PRISMA: list[str] = [m.__tablename__ for m in MODELOS]

# --- Tabla propia de amauta (fuera de los modelos Prisma) ----------------------------
#: Pares clave/valor de amauta guardados en la propia base, p. ej. el entorno
#: (``produccion``, ``desarrollo``, ``pruebas``) que marca ``amauta db entorno``.
amauta_meta = Table(
    "_amauta_meta",
    metadata,
    Column("clave", Text, primary_key=True),
    Column("valor", Text, nullable=False),
    Column("updatedAt", FechaHora, nullable=False, default=ahora, onupdate=ahora),
)

#: Auditoría de ``Asistencia`` y ``Calificacion`` (migración 0005): la escriben disparadores
#: de la base en cada alta, cambio o baja, la haga quien la haga. ``momento`` en UTC; ``rol``
#: es el rol de la sesión de PostgreSQL (NULL en SQLite); ``usuarioSo`` el usuario del
#: sistema operativo de amauta (NULL si escribió otro cliente); ``antes``/``despues`` la
#: fila entera como JSON.
amauta_auditoria = Table(
    "_amauta_auditoria",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,  # GENERATED ALWAYS AS IDENTITY en PostgreSQL (la migración)
    ),
    Column("momento", FechaHora, nullable=False),
    Column("rol", Text),
    Column("usuarioSo", Text),
    Column("cliente", Text),
    Column("operacion", Text, nullable=False),
    Column("tabla", Text, nullable=False),
    Column("registroId", Text, nullable=False),
    Column("grupoId", Text),
    Column("estudianteId", Text),
    Column("antes", Json),
    Column("despues", Json),
    Index("_amauta_auditoria_grupoId_momento_idx", "grupoId", "momento"),
)

#: Tablas propias de amauta, fuera de los modelos Prisma. Las de ``TABLAS_AMAUTA_SOLO_PG``
#: existen solo en PostgreSQL (seguridad por filas, migración 0005) y no están en
#: ``metadata``: la comparación con los modelos las reconoce como nuestras.
TABLAS_AMAUTA_SOLO_PG: tuple[str, ...] = ("_amauta_acceso", "_amauta_vinculo")
TABLAS_AMAUTA: tuple[str, ...] = ("_amauta_meta", "_amauta_auditoria", *TABLAS_AMAUTA_SOLO_PG)
