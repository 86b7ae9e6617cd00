"""Categorías de cursos: alta, edición, listado con la cantidad de cursos y ficha.

Reglas: el nombre no se repite (sin distinguir mayúsculas ni acentos: el índice único de
Prisma solo distingue el texto exacto); el slug sale del nombre (sin acentos, minúsculas,
guiones) y es único (``-2``, ``-3``... si ya existe); un slug dado a mano debe ser válido y
estar libre.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amauta_cli.dialecto import dialecto
from amauta_cli.errores import DatosInvalidos
from amauta_cli.ids import ahora
from amauta_cli.models import Categoria, Curso, EstadoCurso
from amauta_cli.parsing import sin_acentos
from amauta_cli.services.comun import (
    Cambio,
    buscar_categoria,
    sin_acentos_sql,
    slug_libre,
    slugificar,
    validar_slug,
)


@dataclass(frozen=True)
class FilaCategoria:
    id: str
    nombre: str
    slug: str
    descripcion: str | None
    icono: str | None
    cursos: int
    publicados: int


@dataclass(frozen=True)
class DetalleCategoria:
    categoria: FilaCategoria
    createdAt: datetime
    updatedAt: datetime


def _texto(valor: str | None) -> str | None:
    if valor is None:
        return None
    return valor.strip() or None


def _exigir_nombre_libre(s: Session, nombre: str, excepto_id: str | None = None) -> None:
    consulta = select(Categoria.nombre).where(sin_acentos_sql(Categoria.nombre) == sin_acentos(nombre))
    if excepto_id:
        consulta = consulta.where(Categoria.id != excepto_id)
    otro = s.scalar(consulta)
    if otro is not None:
        raise DatosInvalidos(f"nombre: ya existe la categoría '{otro}' (los nombres no se repiten).")


def _exigir_slug_libre(s: Session, slug: str, excepto_id: str | None = None) -> None:
    consulta = select(Categoria.nombre).where(Categoria.slug == slug)
    if excepto_id:
        consulta = consulta.where(Categoria.id != excepto_id)
    otro = s.scalar(consulta)
    if otro is not None:
        raise DatosInvalidos(f"slug: '{slug}' ya es el de la categoría '{otro}'.")


def crear(
    s: Session,
    nombre: str,
    descripcion: str | None = None,
    icono: str | None = None,
    slug: str | None = None,
) -> FilaCategoria:
    nombre = " ".join(nombre.split())
    if not nombre:
        raise DatosInvalidos("nombre: el nombre de la categoría no puede estar vacío.")
    _exigir_nombre_libre(s, nombre)
    if slug is not None:
        slug = validar_slug(slug)
        _exigir_slug_libre(s, slug)
    else:
        slug = slug_libre(s, Categoria.slug, slugificar(nombre))
    t = ahora()
    c = Categoria(
        nombre=nombre, slug=slug, descripcion=_texto(descripcion), icono=_texto(icono),
        createdAt=t, updatedAt=t,
    )
    s.add(c)
    s.flush()
    return FilaCategoria(c.id, c.nombre, c.slug, c.descripcion, c.icono, 0, 0)


def editar(
    s: Session,
    categoria: str,
    nombre: str | None = None,
    slug: str | None = None,
    descripcion: str | None = None,
    icono: str | None = None,
) -> tuple[str, list[Cambio]]:
    """Cambia lo indicado (``None`` = no tocar; ``''`` vacía descripción o ícono)."""
    c = buscar_categoria(s, categoria)
    nuevos: dict[str, object] = {}
    if nombre is not None:
        nombre = " ".join(nombre.split())
        if not nombre:
            raise DatosInvalidos("nombre: el nombre de la categoría no puede estar vacío.")
        if nombre != c.nombre:
            _exigir_nombre_libre(s, nombre, c.id)
        nuevos["nombre"] = nombre
    if slug is not None:
        slug = validar_slug(slug)
        if slug != c.slug:
            _exigir_slug_libre(s, slug, c.id)
        nuevos["slug"] = slug
    if descripcion is not None:
        nuevos["descripcion"] = _texto(descripcion)
    if icono is not None:
        nuevos["icono"] = _texto(icono)
    cambios = [Cambio(k, getattr(c, k), v) for k, v in nuevos.items() if getattr(c, k) != v]
    for cambio in cambios:
        setattr(c, cambio.campo, cambio.despues)
    if cambios:
        c.updatedAt = ahora()
        s.flush()
    return c.nombre, cambios


def _consulta():
    return (
        select(
            Categoria.id,
            Categoria.nombre,
            Categoria.slug,
            Categoria.descripcion,
            Categoria.icono,
            func.count(Curso.id).label("cursos"),
            func.count(Curso.id).filter(Curso.estado == EstadoCurso.PUBLICADO).label("publicados"),
        )
        .outerjoin(Curso, Curso.categoriaId == Categoria.id)
        .group_by(Categoria.id)
    )


def listar(s: Session) -> list[FilaCategoria]:
    """Todas las categorías en orden alfabético, con cuántos cursos tiene cada una: UNA consulta."""
    consulta = _consulta().order_by(dialecto(s).orden_es(Categoria.nombre))
    return [FilaCategoria(*f) for f in s.execute(consulta)]


def ver(s: Session, categoria: str) -> DetalleCategoria:
    c = buscar_categoria(s, categoria)
    fila = s.execute(_consulta().where(Categoria.id == c.id)).one()
    return DetalleCategoria(FilaCategoria(*fila), c.createdAt, c.updatedAt)
