"""Los enums del diseño (``Rol``, ``EstadoAsistencia``...), sin SQLAlchemy.

``models`` los usa en sus columnas y los reexporta; los comandos de todos los días los
importan de aquí sin cargar los modelos.
"""

from __future__ import annotations

import enum


class Rol(enum.StrEnum):
    ESTUDIANTE = "ESTUDIANTE"
    EDUCADOR = "EDUCADOR"
    ADMIN_ESCUELA = "ADMIN_ESCUELA"
    SUPER_ADMIN = "SUPER_ADMIN"


class Nivel(enum.StrEnum):
    PRINCIPIANTE = "PRINCIPIANTE"
    INTERMEDIO = "INTERMEDIO"
    AVANZADO = "AVANZADO"


class EstadoCurso(enum.StrEnum):
    BORRADOR = "BORRADOR"
    REVISION = "REVISION"
    PUBLICADO = "PUBLICADO"
    ARCHIVADO = "ARCHIVADO"


class TipoLeccion(enum.StrEnum):
    VIDEO = "VIDEO"
    TEXTO = "TEXTO"
    QUIZ = "QUIZ"
    INTERACTIVO = "INTERACTIVO"
    DESCARGABLE = "DESCARGABLE"


class EstadoInscripcion(enum.StrEnum):
    ACTIVO = "ACTIVO"
    COMPLETADO = "COMPLETADO"
    ABANDONADO = "ABANDONADO"


class TipoInstitucion(enum.StrEnum):
    ESCUELA = "ESCUELA"
    COLEGIO = "COLEGIO"
    UNIVERSIDAD = "UNIVERSIDAD"
    CENTRO_FORMACION = "CENTRO_FORMACION"


class EstadoAsistencia(enum.StrEnum):
    PRESENTE = "PRESENTE"
    AUSENTE = "AUSENTE"
    TARDANZA = "TARDANZA"
    JUSTIFICADO = "JUSTIFICADO"


class TipoComunicado(enum.StrEnum):
    GENERAL = "GENERAL"
    ACADEMICO = "ACADEMICO"
    ADMINISTRATIVO = "ADMINISTRATIVO"
    EVENTO = "EVENTO"
    URGENTE = "URGENTE"


class Prioridad(enum.StrEnum):
    BAJA = "BAJA"
    NORMAL = "NORMAL"
    ALTA = "ALTA"
    URGENTE = "URGENTE"
