"""Lecciones de un curso y sus recursos.

Reglas:
- ``orden`` es siempre 1..N sin huecos dentro de cada curso: agregar en una posición, mover y
  quitar renumeran lo necesario en UNA sentencia (``UPDATE ... CASE``), dentro de la misma
  transacción, con el curso bloqueado (``SELECT ... FOR UPDATE`` y un bloqueo por curso). Si la
  aplicación web dejó huecos o repetidos, la próxima operación los corrige.
- ``contenido`` se valida según el tipo (``services.contenido``), con la ruta de cada problema.
- Un curso ARCHIVADO no admite cambios en sus lecciones. En un curso PUBLICADO no se puede
  despublicar ni quitar su última lección publicada.
- Una lección con progreso de estudiantes no se quita (se despublica).
- Publicar, despublicar o quitar una lección recalcula las inscripciones del curso (la regla
  de ``services.progreso``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from amauta_cli.dialecto import dialecto
from amauta_cli.textos import plural
from amauta_cli.errores import DatosInvalidos, NoEncontrado, OperacionRechazada
from amauta_cli.ids import ahora, cuid
from amauta_cli.models import (
    Curso,
    EstadoCurso,
    Inscripcion,
    Leccion,
    Progreso,
    Recurso,
    TipoLeccion,
)
from amauta_cli.parsing import elegir_enum
from amauta_cli.services import contenido as contenidos
from amauta_cli.services.comun import Cambio, buscar_curso, buscar_leccion, sin_acentos_sql
from amauta_cli.services.cursos import FilaLeccion, exigir_editable, filas_lecciones
from amauta_cli.services.progreso import recalcular_inscripciones

TIPOS = [t.value for t in TipoLeccion]


def elegir_tipo(texto: str) -> TipoLeccion:
    return TipoLeccion(elegir_enum(texto, TIPOS, "tipo"))


def _curso_para_cambios(s: Session, curso: str) -> Curso:
    c = buscar_curso(s, curso, bloquear=True)
    dialecto(s).bloqueo(s.connection(), "lecciones", c.id)
    exigir_editable(c)
    return c


def _orden_actual(s: Session, curso_id: str) -> list[tuple[str, int]]:
    return [
        (i, o)
        for i, o in s.execute(
            select(Leccion.id, Leccion.orden)
            .where(Leccion.cursoId == curso_id)
            .order_by(Leccion.orden, Leccion.createdAt, Leccion.id)
        )
    ]


def _escribir_orden(s: Session, actual: list[tuple[str, int]], ids: list[str]) -> int:
    """Deja ``ids`` con orden 1..N; UNA sentencia para las filas existentes que cambian."""
    antes = dict(actual)
    nuevos = {i: n for n, i in enumerate(ids, start=1) if i in antes and antes[i] != n}
    if nuevos:
        s.execute(
            update(Leccion)
            .where(Leccion.id.in_(list(nuevos)))
            .values(orden=case(nuevos, value=Leccion.id), updatedAt=ahora())
            .execution_options(synchronize_session=False)
        )
    return len(nuevos)


def _recalcular_curso(s: Session, curso_id: str) -> int:
    return recalcular_inscripciones(s, Inscripcion.cursoId == curso_id)


def _duracion(valor: int | None) -> int | None:
    if valor is not None and not 1 <= valor <= 10_000:
        raise DatosInvalidos(f"duracion: {valor} no es una duración válida en minutos (de 1 a 10.000).")
    return valor


# --- Listado y ficha ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FilaRecurso:
    nombre: str
    tipo: str
    url: str
    tamano: int | None
    disponibleOffline: bool
    leccion: int
    id: str


@dataclass(frozen=True)
class DetalleLeccion:
    curso: str
    curso_titulo: str
    leccion: FilaLeccion
    descripcion: str | None
    contenido: Any
    createdAt: datetime
    updatedAt: datetime
    recursos: list[FilaRecurso] = field(default_factory=list)


def listar(s: Session, curso: str) -> tuple[Curso, list[FilaLeccion]]:
    c = buscar_curso(s, curso)
    return c, filas_lecciones(s, c.id)


def _recursos(s: Session, condicion: Any) -> list[FilaRecurso]:
    filas = s.execute(
        select(
            Recurso.nombre, Recurso.tipo, Recurso.url, Recurso.tamano, Recurso.disponibleOffline,
            Leccion.orden, Recurso.id,
        )
        .join(Leccion, Leccion.id == Recurso.leccionId)
        .where(condicion)
        .order_by(Leccion.orden, Recurso.createdAt, Recurso.id)
    ).all()
    return [FilaRecurso(*f) for f in filas]


def ver(s: Session, curso: str, leccion: str) -> DetalleLeccion:
    c = buscar_curso(s, curso)
    l = buscar_leccion(s, c, leccion)
    fila = next(f for f in filas_lecciones(s, c.id) if f.id == l.id)
    return DetalleLeccion(
        c.slug, c.titulo, fila, l.descripcion, l.contenido, l.createdAt, l.updatedAt,
        _recursos(s, Recurso.leccionId == l.id),
    )


# --- Agregar y editar ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeccionEscrita:
    curso: str
    orden: int
    titulo: str
    tipo: str
    publicada: bool
    recursos: int
    renumeradas: int
    id: str


def _validar_contenido(tipo: TipoLeccion, datos: Any) -> tuple[dict, list[dict]]:
    problemas = contenidos.validar(tipo, datos)
    if problemas:
        raise DatosInvalidos(
            f"El contenido no es válido para una lección {tipo.value}; no se escribió nada:",
            problemas,
        )
    return contenidos.normalizar(tipo, datos)


def agregar(
    s: Session,
    curso: str,
    titulo: str,
    tipo: str,
    contenido: Any,
    descripcion: str | None = None,
    duracion: int | None = None,
    posicion: int | None = None,
    publicada: bool = False,
) -> LeccionEscrita:
    titulo = " ".join(titulo.split())
    if not titulo:
        raise DatosInvalidos("titulo: el título de la lección no puede estar vacío.")
    t_tipo = elegir_tipo(tipo)
    _duracion(duracion)
    datos, recursos = _validar_contenido(t_tipo, contenido)
    c = _curso_para_cambios(s, curso)
    actual = _orden_actual(s, c.id)
    n = len(actual)
    if posicion is None:
        posicion = n + 1
    if not 1 <= posicion <= n + 1:
        raise DatosInvalidos(
            f"posicion: {posicion} está fuera del curso '{c.slug}', que tiene {plural(n, 'lección')} "
            f"(se puede insertar de 1 a {n + 1})."
        )
    if publicada and t_tipo == TipoLeccion.DESCARGABLE and not recursos:
        raise OperacionRechazada(
            "Una lección DESCARGABLE necesita al menos un recurso para publicarse: agréguelos en "
            "`recursos` del contenido, o créela sin --publicada y use `amauta lecciones recursos agregar`."
        )
    t = ahora()
    nueva = Leccion(
        id=cuid(), titulo=titulo, descripcion=(descripcion or "").strip() or None,
        orden=posicion, cursoId=c.id, tipo=t_tipo, duracion=duracion, contenido=datos,
        publicada=publicada, createdAt=t, updatedAt=t,
    )
    ids = [i for i, _ in actual]
    ids.insert(posicion - 1, nueva.id)
    # Primero se corren las demás (la nueva aún no existe), después se inserta.
    renumeradas = _escribir_orden(s, actual, ids)
    s.add(nueva)
    s.flush()
    if recursos:
        s.execute(
            Recurso.__table__.insert(),
            [{"id": cuid(), "leccionId": nueva.id, "createdAt": t, "updatedAt": t, **r} for r in recursos],
        )
    if publicada:
        _recalcular_curso(s, c.id)
    return LeccionEscrita(c.slug, posicion, titulo, t_tipo.value, publicada, len(recursos), renumeradas, nueva.id)


def editar(
    s: Session,
    curso: str,
    leccion: str,
    *,
    titulo: str | None = None,
    descripcion: str | None = None,
    duracion: int | None = None,
    tipo: str | None = None,
    contenido: Any = None,
) -> tuple[str, int, list[Cambio]]:
    nuevos: dict[str, Any] = {}
    if titulo is not None:
        nuevos["titulo"] = " ".join(titulo.split())
        if not nuevos["titulo"]:
            raise DatosInvalidos("titulo: el título de la lección no puede estar vacío.")
    if descripcion is not None:
        nuevos["descripcion"] = descripcion.strip() or None
    if duracion is not None:
        nuevos["duracion"] = _duracion(duracion)
    t_tipo = elegir_tipo(tipo) if tipo is not None else None
    c = _curso_para_cambios(s, curso)
    l = buscar_leccion(s, c, leccion)
    recursos: list[dict] = []
    if t_tipo is not None or contenido is not None:
        destino = t_tipo or l.tipo
        datos, recursos = _validar_contenido(destino, contenido if contenido is not None else l.contenido)
        if t_tipo is not None:
            nuevos["tipo"] = t_tipo
        nuevos["contenido"] = datos
    cambios = [Cambio(k, getattr(l, k), v) for k, v in nuevos.items() if getattr(l, k) != v]
    for cambio in cambios:
        setattr(l, cambio.campo, cambio.despues)
    t = ahora()
    if recursos:
        s.execute(
            Recurso.__table__.insert(),
            [{"id": cuid(), "leccionId": l.id, "createdAt": t, "updatedAt": t, **r} for r in recursos],
        )
        cambios.append(Cambio("recursos", None, f"{len(recursos)} agregados"))
    if cambios:
        l.updatedAt = t
        s.flush()
    if l.publicada and l.tipo == TipoLeccion.DESCARGABLE:
        _exigir_recursos(s, l)
    return c.slug, l.orden, [x if x.campo != "contenido" else Cambio("contenido", "(anterior)", "(nuevo)") for x in cambios]


# --- Orden ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Movimiento:
    curso: str
    titulo: str
    desde: int
    hasta: int
    renumeradas: int


def mover(s: Session, curso: str, leccion: str, a: int) -> Movimiento:
    c = _curso_para_cambios(s, curso)
    l = buscar_leccion(s, c, leccion)
    actual = _orden_actual(s, c.id)
    n = len(actual)
    if not 1 <= a <= n:
        raise DatosInvalidos(
            f"--a: {a} está fuera del curso '{c.slug}', que tiene {plural(n, 'lección')} (de 1 a {n})."
        )
    ids = [i for i, _ in actual]
    desde = ids.index(l.id) + 1
    ids.remove(l.id)
    ids.insert(a - 1, l.id)
    return Movimiento(c.slug, l.titulo, desde, a, _escribir_orden(s, actual, ids))


@dataclass(frozen=True)
class Quitada:
    curso: str
    titulo: str
    orden: int
    recursos: int
    renumeradas: int
    inscripciones_recalculadas: int


def _exigir_otra_publicada(s: Session, c: Curso, l: Leccion, accion: str) -> None:
    if c.estado != EstadoCurso.PUBLICADO or not l.publicada:
        return
    otras = s.scalar(
        select(func.count(Leccion.id)).where(
            Leccion.cursoId == c.id, Leccion.publicada.is_(True), Leccion.id != l.id
        )
    )
    if not otras:
        raise OperacionRechazada(
            f"No se puede {accion} la lección {l.orden} ('{l.titulo}'): es la única publicada del "
            f"curso '{c.slug}', que está PUBLICADO. Publique otra antes, o archive el curso."
        )


def quitar(s: Session, curso: str, leccion: str) -> Quitada:
    c = _curso_para_cambios(s, curso)
    l = buscar_leccion(s, c, leccion)
    con_progreso = s.scalar(select(func.count(Progreso.id)).where(Progreso.leccionId == l.id))
    if con_progreso:
        raise OperacionRechazada(
            f"La lección {l.orden} ('{l.titulo}') tiene progreso de "
            f"{plural(con_progreso, 'estudiante')}: no se quita para no perderlo. Despublíquela con "
            f"`amauta lecciones despublicar {c.slug} {l.orden}`."
        )
    _exigir_otra_publicada(s, c, l, "quitar")
    actual = _orden_actual(s, c.id)
    recursos = s.scalar(select(func.count(Recurso.id)).where(Recurso.leccionId == l.id)) or 0
    orden, titulo, publicada = l.orden, l.titulo, l.publicada
    s.execute(delete(Recurso).where(Recurso.leccionId == l.id))
    s.execute(delete(Leccion).where(Leccion.id == l.id).execution_options(synchronize_session=False))
    s.expunge(l)
    restantes = [(i, o) for i, o in actual if i != l.id]
    renumeradas = _escribir_orden(s, restantes, [i for i, _ in restantes])
    recalculadas = _recalcular_curso(s, c.id) if publicada else 0
    return Quitada(c.slug, titulo, orden, int(recursos), renumeradas, recalculadas)


# --- Publicación ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Publicacion:
    curso: str
    orden: int
    titulo: str
    publicada: bool
    cambiada: bool
    inscripciones_recalculadas: int


def _exigir_recursos(s: Session, l: Leccion) -> None:
    if l.tipo == TipoLeccion.DESCARGABLE and not s.scalar(
        select(func.count(Recurso.id)).where(Recurso.leccionId == l.id)
    ):
        raise OperacionRechazada(
            f"La lección {l.orden} ('{l.titulo}') es DESCARGABLE y no tiene recursos: agregue al "
            "menos uno con `amauta lecciones recursos agregar` antes de publicarla."
        )


def publicar(s: Session, curso: str, leccion: str, publicada: bool = True) -> Publicacion:
    c = _curso_para_cambios(s, curso)
    l = buscar_leccion(s, c, leccion)
    if l.publicada == publicada:
        return Publicacion(c.slug, l.orden, l.titulo, publicada, False, 0)
    if publicada:
        _exigir_recursos(s, l)
    else:
        _exigir_otra_publicada(s, c, l, "despublicar")
    l.publicada = publicada
    l.updatedAt = ahora()
    s.flush()
    return Publicacion(c.slug, l.orden, l.titulo, publicada, True, _recalcular_curso(s, c.id))


# --- Recursos -------------------------------------------------------------------------------------
def agregar_recurso(
    s: Session,
    curso: str,
    leccion: str,
    nombre: str,
    tipo: str,
    url: str,
    tamano: int | None = None,
    disponible_offline: bool = False,
) -> FilaRecurso:
    datos = {"nombre": nombre, "tipo": tipo, "url": url, "disponibleOffline": disponible_offline}
    if tamano is not None:
        datos["tamano"] = tamano
    problemas = contenidos.validar_recurso(datos)
    if problemas:
        raise DatosInvalidos("Recurso inválido; no se agregó:", problemas)
    c = _curso_para_cambios(s, curso)
    l = buscar_leccion(s, c, leccion)
    nombre = nombre.strip()
    if s.scalar(
        select(Recurso.id).where(
            Recurso.leccionId == l.id, sin_acentos_sql(Recurso.nombre) == sin_acentos_sql(nombre)
        )
    ):
        raise DatosInvalidos(f"nombre: la lección {l.orden} ya tiene un recurso llamado '{nombre}'.")
    t = ahora()
    r = Recurso(
        id=cuid(), nombre=nombre, tipo=contenidos.TIPOS_RECURSO[tipo.strip().lower()], url=url.strip(),
        tamano=tamano, leccionId=l.id, disponibleOffline=disponible_offline, createdAt=t, updatedAt=t,
    )
    s.add(r)
    s.flush()
    return FilaRecurso(r.nombre, r.tipo, r.url, r.tamano, r.disponibleOffline, l.orden, r.id)


def listar_recursos(s: Session, curso: str, leccion: str | None = None) -> tuple[Curso, list[FilaRecurso]]:
    c = buscar_curso(s, curso)
    if leccion is None:
        return c, _recursos(s, Leccion.cursoId == c.id)
    l = buscar_leccion(s, c, leccion)
    return c, _recursos(s, Recurso.leccionId == l.id)


def quitar_recurso(s: Session, curso: str, leccion: str, recurso: str) -> FilaRecurso:
    c = _curso_para_cambios(s, curso)
    l = buscar_leccion(s, c, leccion)
    r = s.scalar(
        select(Recurso).where(
            Recurso.leccionId == l.id,
            (Recurso.id == recurso.strip()) | (sin_acentos_sql(Recurso.nombre) == sin_acentos_sql(recurso.strip())),
        )
    )
    if r is None:
        raise NoEncontrado(
            f"La lección {l.orden} de '{c.slug}' no tiene el recurso '{recurso}' (por nombre o id). "
            f"Véalos con `amauta lecciones recursos listar {c.slug} {l.orden}`."
        )
    fila = FilaRecurso(r.nombre, r.tipo, r.url, r.tamano, r.disponibleOffline, l.orden, r.id)
    if l.publicada and l.tipo == TipoLeccion.DESCARGABLE:
        otros = s.scalar(select(func.count(Recurso.id)).where(Recurso.leccionId == l.id, Recurso.id != r.id))
        if not otros:
            raise OperacionRechazada(
                f"'{r.nombre}' es el único recurso de la lección DESCARGABLE publicada {l.orden} "
                f"('{l.titulo}'): agregue otro antes, o despublique la lección."
            )
    s.delete(r)
    s.flush()
    return fila
