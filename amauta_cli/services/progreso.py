"""Progreso de los estudiantes: registrar, reportes y recálculo de las inscripciones.

Regla que se mantiene siempre: ``Inscripcion.progreso`` es el porcentaje (entero, hacia
abajo) de las lecciones **publicadas** del curso que el estudiante completó; a 100 la
inscripción pasa a COMPLETADO con ``completadoEn``; por debajo de 100 una COMPLETADA vuelve a
ACTIVO (p. ej. si se publica una lección nueva); una ABANDONADA sigue ABANDONADA (su
porcentaje se actualiza igual). ``recalcular`` la aplica a todas las inscripciones (o a las de
un curso) en UNA sentencia ``UPDATE ... FROM`` y cuenta cuántas cambiaron; ``registrar`` y las
operaciones de lecciones que cambian qué está publicado la aplican a lo que tocan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select, update
from sqlalchemy.orm import Session

from amauta_cli.dialecto import dialecto
from amauta_cli.errores import DatosInvalidos, NoEncontrado, OperacionRechazada
from amauta_cli.ids import ahora, cuid
from amauta_cli.models import (
    Categoria,
    Curso,
    EstadoCurso,
    EstadoInscripcion,
    Inscripcion,
    Leccion,
    Progreso,
    Rol,
    TipoLeccion,
    Usuario,
)
from amauta_cli.parsing import parsear_decimal
from amauta_cli.services.comun import (
    buscar_curso,
    buscar_leccion_por_referencia,
    buscar_usuario,
)


# --- Recalcular ---------------------------------------------------------------------------------
def recalcular_inscripciones(s: Session, *condiciones: Any) -> int:
    """Aplica la regla a las inscripciones que cumplen ``condiciones``; devuelve cuántas cambiaron."""
    l, p = Leccion.__table__.alias("l"), Progreso.__table__.alias("p")
    i = Inscripcion.__table__.alias("i")
    calc = (
        select(
            i.c.id.label("iid"),
            case(
                (func.count(l.c.id) == 0, 0),
                else_=(100 * func.count(p.c.id)) // func.count(l.c.id),
            ).label("pct"),
            func.max(p.c.completadoEn).label("ultima"),
        )
        .select_from(
            i.outerjoin(l, and_(l.c.cursoId == i.c.cursoId, l.c.publicada.is_(True))).outerjoin(
                p,
                and_(p.c.leccionId == l.c.id, p.c.usuarioId == i.c.usuarioId, p.c.completado.is_(True)),
            )
        )
        .where(*[_sobre(c, i) for c in condiciones])
        .group_by(i.c.id)
        .subquery("calc")
    )
    t = Inscripcion.__table__
    abandonada = t.c.estado == EstadoInscripcion.ABANDONADO
    tipo_estado = t.c.estado.type
    nuevo_estado = case(
        (abandonada, t.c.estado),
        (calc.c.pct == 100, literal(EstadoInscripcion.COMPLETADO, tipo_estado)),
        else_=literal(EstadoInscripcion.ACTIVO, tipo_estado),
    )
    nueva_fecha = case(
        (abandonada, t.c.completadoEn),
        (calc.c.pct == 100, func.coalesce(t.c.completadoEn, calc.c.ultima, literal(ahora(), t.c.completadoEn.type))),
        else_=None,
    )
    sentencia = (
        update(t)
        .where(t.c.id == calc.c.iid)
        .where(
            (t.c.progreso != calc.c.pct)
            | t.c.estado.is_distinct_from(nuevo_estado)
            | t.c.completadoEn.is_distinct_from(nueva_fecha)
        )
        .values(progreso=calc.c.pct, estado=nuevo_estado, completadoEn=nueva_fecha)
    )
    return int(s.execute(sentencia).rowcount or 0)


def _sobre(condicion: Any, alias: Any) -> Any:
    """Traslada una condición sobre ``Inscripcion`` al alias ``i`` de la subconsulta."""
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(alias).traverse(condicion)


@dataclass(frozen=True)
class ResultadoRecalculo:
    revisadas: int
    cambiadas: int
    curso: str | None


def recalcular(s: Session, curso: str | None = None) -> ResultadoRecalculo:
    condiciones = []
    slug = None
    if curso:
        c = buscar_curso(s, curso)
        slug = c.slug
        condiciones.append(Inscripcion.cursoId == c.id)
    revisadas = s.scalar(select(func.count(Inscripcion.id)).where(*condiciones)) or 0
    cambiadas = recalcular_inscripciones(s, *condiciones)
    return ResultadoRecalculo(int(revisadas), cambiadas, slug)


# --- Registrar -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Registro:
    estudiante: str
    curso: str
    leccion: int
    leccion_titulo: str
    completado: bool
    porcentaje: int
    intentos: int
    mejorPuntaje: float | None
    inscripcion_progreso: int
    inscripcion_estado: str


def _exigir_estudiante(s: Session, email: str) -> Usuario:
    u = buscar_usuario(s, email)
    if u.rol != Rol.ESTUDIANTE:
        raise OperacionRechazada(f"'{u.email}' tiene rol {u.rol.value}, no ESTUDIANTE.")
    if not u.activo:
        raise OperacionRechazada(
            f"'{u.email}' está inactivo: actívelo con `amauta usuarios activar {u.email}` antes de registrar su progreso."
        )
    return u


def registrar(
    s: Session,
    estudiante: str,
    leccion: str,
    curso: str | None = None,
    completado: bool = False,
    porcentaje: int | None = None,
    puntaje: str | float | None = None,
) -> Registro:
    """Registra un acceso a una lección (y su avance, o un intento de quiz con su puntaje).

    El porcentaje de una lección nunca baja y una lección completada sigue completada; un
    puntaje cuenta un intento y conserva el mejor; un quiz aprobado (``puntajeAprobacion``)
    queda completado. Luego se recalcula la inscripción del estudiante en ese curso.
    """
    problemas = []
    if porcentaje is not None and not 0 <= porcentaje <= 100:
        problemas.append(f"porcentaje: {porcentaje} debe ser un entero de 0 a 100")
    valor_puntaje = None
    if puntaje is not None:
        try:
            valor_puntaje = parsear_decimal(puntaje, "puntaje")
            if not 0 <= valor_puntaje <= 100:
                problemas.append(f"puntaje: {puntaje} debe ser un número de 0 a 100")
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    if problemas:
        raise DatosInvalidos("Datos inválidos; no se registró nada:", problemas)
    u = _exigir_estudiante(s, estudiante)
    l = buscar_leccion_por_referencia(s, leccion, curso)
    c = s.get(Curso, l.cursoId)
    if c.estado != EstadoCurso.PUBLICADO:
        raise OperacionRechazada(
            f"El curso '{c.slug}' está en {c.estado.value}: solo se registra progreso en cursos PUBLICADO."
        )
    if not l.publicada:
        raise OperacionRechazada(
            f"La lección {l.orden} ('{l.titulo}') de '{c.slug}' no está publicada: no admite progreso."
        )
    dialecto(s).bloqueo(s.connection(), "progreso", u.id, l.id)
    ins = s.scalar(
        select(Inscripcion).where(Inscripcion.usuarioId == u.id, Inscripcion.cursoId == c.id)
    )
    if ins is None:
        raise OperacionRechazada(
            f"'{u.email}' no está inscripto en '{c.slug}': inscríbalo con "
            f"`amauta inscripciones crear --curso {c.slug} --estudiante {u.email}`."
        )
    if ins.estado == EstadoInscripcion.ABANDONADO:
        raise OperacionRechazada(
            f"La inscripción de '{u.email}' en '{c.slug}' está ABANDONADO: reactívela con "
            f"`amauta inscripciones reactivar --curso {c.slug} --estudiante {u.email}`."
        )
    contenido = l.contenido if isinstance(l.contenido, dict) else {}
    if valor_puntaje is not None and l.tipo != TipoLeccion.QUIZ:
        raise OperacionRechazada(
            f"La lección {l.orden} ('{l.titulo}') es {l.tipo.value}: solo los QUIZ llevan puntaje."
        )
    p = s.scalar(select(Progreso).where(Progreso.usuarioId == u.id, Progreso.leccionId == l.id))
    t = ahora()
    if p is None:
        p = Progreso(
            id=cuid(), usuarioId=u.id, leccionId=l.id, completado=False, porcentaje=0,
            intentos=0, createdAt=t, updatedAt=t, ultimoAcceso=t,
        )
        s.add(p)
    if valor_puntaje is not None:
        permitidos = contenido.get("intentosPermitidos")
        if isinstance(permitidos, int) and p.intentos >= permitidos:
            raise OperacionRechazada(
                f"'{u.email}' ya usó los {permitidos} intentos permitidos del quiz "
                f"'{l.titulo}' (mejor puntaje: {p.mejorPuntaje}). No se registró nada."
            )
        p.intentos = (p.intentos or 0) + 1
        if p.mejorPuntaje is None or valor_puntaje > p.mejorPuntaje:
            p.mejorPuntaje = valor_puntaje
        aprobacion = contenido.get("puntajeAprobacion")
        if isinstance(aprobacion, (int, float)) and valor_puntaje >= aprobacion:
            completado = True
    if porcentaje is not None:
        p.porcentaje = max(p.porcentaje or 0, porcentaje)
    if completado or p.porcentaje == 100:
        p.completado = True
        p.porcentaje = 100
        if p.completadoEn is None:
            p.completadoEn = t
    p.ultimoAcceso = t
    p.updatedAt = t
    s.flush()
    recalcular_inscripciones(s, Inscripcion.id == ins.id)
    s.refresh(ins)
    return Registro(
        u.email, c.slug, l.orden, l.titulo, p.completado, p.porcentaje, p.intentos,
        p.mejorPuntaje, ins.progreso, ins.estado.value,
    )


# --- Reportes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilaReporte:
    email: str
    nombre: str
    curso: str
    titulo: str
    estado: str
    completadas: int
    publicadas: int
    progreso: int
    calculado: int
    mejor_puntaje: float | None
    ultimo_acceso: datetime | None
    completadoEn: datetime | None


@dataclass(frozen=True)
class Reporte:
    titulo: str
    filas: list[FilaReporte]
    desactualizadas: int


def _reporte(s: Session, condicion: Any, orden: list[Any]) -> list[FilaReporte]:
    l, p = Leccion.__table__.alias("l"), Progreso.__table__.alias("p")
    es_quiz = l.c.tipo == TipoLeccion.QUIZ
    consulta = (
        select(
            Usuario.email,
            (Usuario.nombre + " " + Usuario.apellido).label("nombre"),
            Curso.slug,
            Curso.titulo,
            Inscripcion.estado,
            func.count(p.c.id).filter(p.c.completado.is_(True)).label("completadas"),
            func.count(func.distinct(l.c.id)).label("publicadas"),
            Inscripcion.progreso,
            func.max(p.c.mejorPuntaje).filter(es_quiz).label("mejor"),
            func.max(p.c.ultimoAcceso).label("ultimo"),
            Inscripcion.completadoEn,
        )
        .select_from(Inscripcion)
        .join(Usuario, Usuario.id == Inscripcion.usuarioId)
        .join(Curso, Curso.id == Inscripcion.cursoId)
        .outerjoin(l, and_(l.c.cursoId == Curso.id, l.c.publicada.is_(True)))
        .outerjoin(p, and_(p.c.leccionId == l.c.id, p.c.usuarioId == Inscripcion.usuarioId))
        .where(condicion)
        .group_by(Inscripcion.id, Usuario.id, Curso.id)
        .order_by(*orden)
    )
    filas = []
    for f in s.execute(consulta):
        calculado = (100 * f.completadas) // f.publicadas if f.publicadas else 0
        filas.append(
            FilaReporte(
                f.email, f.nombre, f.slug, f.titulo, f.estado.value, f.completadas, f.publicadas,
                f.progreso, calculado, f.mejor, f.ultimo, f.completadoEn,
            )
        )
    return filas


def reporte_curso(s: Session, curso: str) -> Reporte:
    c = buscar_curso(s, curso)
    d = dialecto(s)
    filas = _reporte(s, Inscripcion.cursoId == c.id, [d.orden_es(Usuario.apellido), d.orden_es(Usuario.nombre), Usuario.email])
    return Reporte(f"Progreso en {c.titulo} ({c.slug})", filas, sum(f.progreso != f.calculado for f in filas))


def reporte_estudiante(s: Session, estudiante: str) -> Reporte:
    u = buscar_usuario(s, estudiante)
    filas = _reporte(s, Inscripcion.usuarioId == u.id, [dialecto(s).orden_es(Curso.titulo), Curso.slug])
    return Reporte(
        f"Progreso de {u.nombre} {u.apellido} ({u.email})", filas,
        sum(f.progreso != f.calculado for f in filas),
    )


def exigir_inscripcion(s: Session, usuario_id: str, curso_id: str) -> Inscripcion:
    ins = s.scalar(
        select(Inscripcion).where(Inscripcion.usuarioId == usuario_id, Inscripcion.cursoId == curso_id)
    )
    if ins is None:
        raise NoEncontrado("No existe esa inscripción.")
    return ins


__all__ = ["Categoria"]
