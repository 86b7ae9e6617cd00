"""Inscripciones de estudiantes en cursos: alta (de a uno, varios o un grupo entero), listado,
baja (ABANDONADO) y reactivación.

Reglas: solo cursos PUBLICADO admiten inscripciones (nunca uno ARCHIVADO); solo usuarios
activos con rol ESTUDIANTE; la clave única del diseño (``usuarioId``, ``cursoId``) no se
duplica: quien ya estaba inscripto se informa y queda como estaba. Un grupo entero se inscribe
en UNA sentencia ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` con sus estudiantes activos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from amauta_cli.dialecto import dialecto
from amauta_cli.errores import DatosInvalidos, NoEncontrado, OperacionRechazada
from amauta_cli.ids import ahora
from amauta_cli.models import (
    Curso,
    EstadoCurso,
    EstadoInscripcion,
    GrupoEstudiante,
    Inscripcion,
    Rol,
    Usuario,
)
from amauta_cli.parsing import elegir_enum, validar_email
from amauta_cli.services.comun import buscar_curso, buscar_grupo, buscar_usuario
from amauta_cli.services.progreso import recalcular_inscripciones


@dataclass(frozen=True)
class ResultadoInscripcion:
    curso: str
    inscriptos: list[str] = field(default_factory=list)
    ya_estaban: list[str] = field(default_factory=list)
    omitidos: list[str] = field(default_factory=list)


def _exigir_curso_abierto(s: Session, curso: str) -> Curso:
    c = buscar_curso(s, curso, bloquear=True)
    if c.estado != EstadoCurso.PUBLICADO:
        raise OperacionRechazada(
            f"El curso '{c.slug}' está en {c.estado.value}: solo los cursos PUBLICADO admiten "
            "inscripciones."
        )
    return c


def _insertar(s: Session, filas_o_select, curso_id: str) -> set[str]:
    t = Inscripcion.__table__
    ins = dialecto(s).insertar(t)
    if isinstance(filas_o_select, list):
        if not filas_o_select:
            return set()
        ins = ins.values(filas_o_select)
    else:
        ins = ins.from_select(["id", "usuarioId", "cursoId", "estado", "progreso", "inscritoEn"], filas_o_select)
    sentencia = ins.on_conflict_do_nothing(index_elements=[t.c.usuarioId, t.c.cursoId]).returning(t.c.usuarioId)
    return set(s.scalars(sentencia))


def crear(
    s: Session, curso: str, estudiantes: Sequence[str] = (), grupo: str | None = None,
    institucion: str | None = None,
) -> ResultadoInscripcion:
    if bool(estudiantes) == bool(grupo):
        raise DatosInvalidos("Indique los estudiantes (--estudiante, repetible) o un grupo (--grupo), no ambos.")
    problemas: list[str] = []
    emails: list[str] = []
    for e in estudiantes:
        try:
            emails.append(validar_email(e, "estudiante"))
        except DatosInvalidos as err:
            problemas.append(err.mensaje)
    if problemas:
        raise DatosInvalidos("No se inscribió a nadie:", problemas)
    c = _exigir_curso_abierto(s, curso)
    t = ahora()
    if grupo:
        g = buscar_grupo(s, grupo, institucion, exigir_activo=True)
        miembros = s.execute(
            select(Usuario.id, Usuario.email, Usuario.activo, Usuario.rol)
            .join(GrupoEstudiante, GrupoEstudiante.estudianteId == Usuario.id)
            .where(GrupoEstudiante.grupoId == g.id)
        ).all()
        if not miembros:
            raise OperacionRechazada(f"El grupo '{g.nombre}' no tiene estudiantes: no hay a quién inscribir.")
        omitidos = sorted(f"{m.email} (inactivo)" for m in miembros if not m.activo or m.rol != Rol.ESTUDIANTE)
        # Los ids de las inscripciones nuevas: cuid por fila, generado en Python y pasado como
        # tabla de valores sería otra consulta; con el id del usuario y del curso se arma uno
        # único y estable ('i' + hash corto) sin leer nada más.
        nuevos_ids = {m.id: _id_inscripcion() for m in miembros}
        seleccion = (
            select(
                _id_por_usuario(nuevos_ids),
                Usuario.id,
                literal(c.id),
                literal(EstadoInscripcion.ACTIVO, Inscripcion.__table__.c.estado.type),
                literal(0),
                literal(t, Inscripcion.__table__.c.inscritoEn.type),
            )
            .join(GrupoEstudiante, GrupoEstudiante.estudianteId == Usuario.id)
            .where(
                GrupoEstudiante.grupoId == g.id,
                Usuario.activo.is_(True),
                Usuario.rol == Rol.ESTUDIANTE,
            )
        )
        nuevos = _insertar(s, seleccion, c.id)
        candidatos = [m for m in miembros if m.activo and m.rol == Rol.ESTUDIANTE]
    else:
        encontrados = {
            u.email.lower(): u
            for u in s.scalars(select(Usuario).where(func.lower(Usuario.email).in_(emails)))
        }
        for e in dict.fromkeys(emails):
            u = encontrados.get(e)
            if u is None:
                problemas.append(f"no existe un usuario con el email '{e}'")
            elif u.rol != Rol.ESTUDIANTE:
                problemas.append(f"'{u.email}' tiene rol {u.rol.value}, no ESTUDIANTE")
            elif not u.activo:
                problemas.append(f"'{u.email}' está inactivo")
        if problemas:
            raise DatosInvalidos(f"No se inscribió a nadie en '{c.slug}':", problemas)
        candidatos = [encontrados[e] for e in dict.fromkeys(emails)]
        filas = [
            {"id": _id_inscripcion(), "usuarioId": u.id, "cursoId": c.id,
             "estado": EstadoInscripcion.ACTIVO, "progreso": 0, "inscritoEn": t}
            for u in candidatos
        ]
        nuevos = _insertar(s, filas, c.id)
        omitidos = []
    res = ResultadoInscripcion(c.slug, omitidos=omitidos)
    for m in candidatos:
        (res.inscriptos if m.id in nuevos else res.ya_estaban).append(m.email)
    res.inscriptos.sort()
    res.ya_estaban.sort()
    if nuevos:
        # Un estudiante que ya tenía progreso en el curso (inscripto antes, dado de baja y
        # borrado por la aplicación) empieza con su porcentaje real.
        recalcular_inscripciones(s, Inscripcion.cursoId == c.id, Inscripcion.usuarioId.in_(list(nuevos)))
    return res


def _id_inscripcion() -> str:
    from amauta_cli.ids import cuid

    return cuid()


def _id_por_usuario(ids: dict[str, str]):
    from sqlalchemy import case

    return case(ids, value=Usuario.id)


# --- Listado ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilaInscripcion:
    email: str
    nombre: str
    curso: str
    titulo: str
    estado: str
    progreso: int
    inscritoEn: datetime
    completadoEn: datetime | None


def listar(
    s: Session, curso: str | None = None, estudiante: str | None = None, estado: str | None = None
) -> tuple[str, list[FilaInscripcion]]:
    if not curso and not estudiante:
        raise DatosInvalidos("Indique --curso o --estudiante.")
    condiciones = []
    partes = []
    d = dialecto(s)
    orden = []
    if curso:
        c = buscar_curso(s, curso)
        condiciones.append(Inscripcion.cursoId == c.id)
        partes.append(f"en {c.titulo} ({c.slug})")
        orden = [d.orden_es(Usuario.apellido), d.orden_es(Usuario.nombre), Usuario.email]
    if estudiante:
        u = buscar_usuario(s, estudiante)
        condiciones.append(Inscripcion.usuarioId == u.id)
        partes.append(f"de {u.nombre} {u.apellido}")
        orden = orden or [d.orden_es(Curso.titulo)]
    if estado:
        condiciones.append(
            Inscripcion.estado == EstadoInscripcion(elegir_enum(estado, [e.value for e in EstadoInscripcion], "estado"))
        )
    filas = s.execute(
        select(
            Usuario.email, (Usuario.nombre + " " + Usuario.apellido), Curso.slug, Curso.titulo,
            Inscripcion.estado, Inscripcion.progreso, Inscripcion.inscritoEn, Inscripcion.completadoEn,
        )
        .join(Usuario, Usuario.id == Inscripcion.usuarioId)
        .join(Curso, Curso.id == Inscripcion.cursoId)
        .where(*condiciones)
        .order_by(*orden)
    ).all()
    return "Inscripciones " + " ".join(partes), [
        FilaInscripcion(f[0], f[1], f[2], f[3], f[4].value, f[5], f[6], f[7]) for f in filas
    ]


# --- Baja y reactivación ------------------------------------------------------------------------
@dataclass(frozen=True)
class CambioEstado:
    email: str
    curso: str
    antes: str
    despues: str
    progreso: int

    @property
    def cambiado(self) -> bool:
        return self.antes != self.despues


def _inscripcion(s: Session, curso: str, estudiante: str) -> tuple[Curso, Usuario, Inscripcion]:
    c = buscar_curso(s, curso, bloquear=True)
    u = buscar_usuario(s, estudiante)
    ins = s.scalar(select(Inscripcion).where(Inscripcion.cursoId == c.id, Inscripcion.usuarioId == u.id))
    if ins is None:
        raise NoEncontrado(f"'{u.email}' no está inscripto en '{c.slug}'.")
    return c, u, ins


def baja(s: Session, curso: str, estudiante: str) -> CambioEstado:
    c, u, ins = _inscripcion(s, curso, estudiante)
    antes = ins.estado.value
    if ins.estado == EstadoInscripcion.COMPLETADO:
        raise OperacionRechazada(
            f"La inscripción de '{u.email}' en '{c.slug}' está COMPLETADO: un curso terminado no se abandona."
        )
    ins.estado = EstadoInscripcion.ABANDONADO
    s.flush()
    return CambioEstado(u.email, c.slug, antes, ins.estado.value, ins.progreso)


def reactivar(s: Session, curso: str, estudiante: str) -> CambioEstado:
    c, u, ins = _inscripcion(s, curso, estudiante)
    antes = ins.estado.value
    if ins.estado != EstadoInscripcion.ABANDONADO:
        return CambioEstado(u.email, c.slug, antes, antes, ins.progreso)
    if c.estado == EstadoCurso.ARCHIVADO:
        raise OperacionRechazada(f"El curso '{c.slug}' está ARCHIVADO: no admite reactivar inscripciones.")
    if not u.activo:
        raise OperacionRechazada(f"'{u.email}' está inactivo: actívelo antes con `amauta usuarios activar {u.email}`.")
    ins.estado = EstadoInscripcion.ACTIVO
    s.flush()
    recalcular_inscripciones(s, Inscripcion.id == ins.id)
    s.refresh(ins)
    return CambioEstado(u.email, c.slug, antes, ins.estado.value, ins.progreso)
