"""Búsquedas compartidas por las áreas: usuarios por email, instituciones y grupos por
nombre o id, y una comparación sin acentos que funciona igual en ambos motores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amauta_cli.dialecto import sin_acentos_sql  # noqa: F401 - re-exportado (un solo hogar)

from amauta_cli.errores import NoEncontrado, OperacionRechazada
from amauta_cli.models import Grupo, Institucion, Usuario
from amauta_cli.parsing import normalizar_email, sin_acentos

@dataclass
class Cambio:
    """Un campo que un comando ``editar`` cambió: qué era y qué es ahora."""

    campo: str
    antes: Any
    despues: Any


def buscar_usuario(s: Session, email: str) -> Usuario:
    """El usuario con ese email (sin distinguir mayúsculas)."""
    e = normalizar_email(email)
    u = s.scalar(select(Usuario).where(func.lower(Usuario.email) == e))
    if u is None:
        raise NoEncontrado(f"No existe un usuario con el email '{e}'.")
    return u


def buscar_institucion(s: Session, nombre_o_id: str) -> Institucion:
    """Una institución por id o por nombre (sin distinguir mayúsculas ni acentos)."""
    texto = nombre_o_id.strip()
    inst = s.get(Institucion, texto)
    if inst is not None:
        return inst
    candidatas = list(
        s.scalars(
            select(Institucion).where(
                sin_acentos_sql(Institucion.nombre) == sin_acentos(texto)
            )
        )
    )
    if not candidatas and sin_acentos(texto):
        # Sin coincidencia exacta, sirven palabras del nombre si son de UNA sola institución
        # ("Escuela Nº 42" por 'Escuela Primaria Nº 42 "Bernardino Rivadavia"').
        nombre = sin_acentos_sql(Institucion.nombre)
        candidatas = list(
            s.scalars(
                select(Institucion)
                .where(*(nombre.contains(p, autoescape=True) for p in sin_acentos(texto).split()))
                .order_by(Institucion.nombre)
                .limit(6)
            )
        )
        if len(candidatas) > 1:
            nombres = ", ".join(f"'{i.nombre}'" for i in candidatas[:5])
            raise NoEncontrado(
                f"'{texto}' coincide con varias instituciones ({nombres}"
                f"{', ...' if len(candidatas) > 5 else ''}); escriba el nombre completo o el id."
            )
    if not candidatas:
        raise NoEncontrado(
            f"No existe la institución '{texto}'. Vea las existentes con `amauta instituciones listar`."
        )
    if len(candidatas) > 1:
        ids = ", ".join(i.id for i in candidatas)
        raise NoEncontrado(
            f"Hay {len(candidatas)} instituciones llamadas '{texto}'; nómbrela por su id ({ids})."
        )
    return candidatas[0]


def buscar_grupo(
    s: Session, nombre_o_id: str, institucion: str | None = None, exigir_activo: bool = False
) -> Grupo:
    """Un grupo por id, o por nombre dentro de su institución (``institucion`` si hay ambigüedad)."""
    texto = nombre_o_id.strip()
    g = s.get(Grupo, texto)
    if g is None:
        consulta = select(Grupo).where(sin_acentos_sql(Grupo.nombre) == sin_acentos(texto))
        if institucion:
            inst = buscar_institucion(s, institucion)
            consulta = consulta.where(Grupo.institucionId == inst.id)
        candidatos = list(s.scalars(consulta))
        if not candidatos:
            donde = f" en la institución '{institucion}'" if institucion else ""
            raise NoEncontrado(
                f"No existe el grupo '{texto}'{donde}. Vea los grupos con `amauta grupos listar`."
            )
        if len(candidatos) > 1 and len({c.institucionId for c in candidatos}) == 1:
            ids = ", ".join(sorted(c.id for c in candidatos))
            raise NoEncontrado(
                f"Hay {len(candidatos)} grupos llamados '{texto}' en la institución "
                f"'{candidatos[0].institucion.nombre}'; nombre el grupo por su id ({ids})."
            )
        if len(candidatos) > 1:
            nombres = ", ".join(sorted(f"'{c.institucion.nombre}'" for c in candidatos))
            raise NoEncontrado(
                f"El nombre de grupo '{texto}' existe en varias instituciones ({nombres}); "
                "indique cuál con --institucion, o nombre el grupo por su id."
            )
        g = candidatos[0]
    if exigir_activo and not g.activo:
        raise OperacionRechazada(
            f"El grupo '{g.nombre}' está inactivo: no admite cambios. Actívelo o elija otro grupo."
        )
    return g


def estudiantes_del_grupo(s: Session, grupo_id: str) -> list[dict[str, Any]]:
    """Los estudiantes de un grupo, en una consulta, ordenados por apellido y nombre.

    Cada uno con ``id``, ``email``, ``nombre``, ``apellido``, ``matricula`` y ``activo``:
    lo que hace falta para validar en memoria un CSV o una lista de emails del grupo.
    """
    from amauta_cli.models import GrupoEstudiante, Perfil

    filas = s.execute(
        select(
            Usuario.id,
            Usuario.email,
            Usuario.nombre,
            Usuario.apellido,
            Usuario.activo,
            Perfil.matricula,
        )
        .join(GrupoEstudiante, GrupoEstudiante.estudianteId == Usuario.id)
        .outerjoin(Perfil, Perfil.usuarioId == Usuario.id)
        .where(GrupoEstudiante.grupoId == grupo_id)
        .order_by(Usuario.apellido, Usuario.nombre, Usuario.email)
    ).all()
    return [dict(f._mapping) for f in filas]
