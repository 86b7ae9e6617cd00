"""``amauta asistencia planilla`` (la planilla mensual de un grupo) y la asistencia por períodos
del boletín (``amauta calificaciones boletin``).

La planilla: una fila por estudiante (orden alfabético español), una columna por día de lunes a
viernes del mes (y por cada sábado o domingo que fue de clase o tiene registros) con ``P``,
``A``, ``T``, ``J`` o nada; los días sin clase van marcados con su motivo y no se cuentan. Al
final, los totales del mes (presentes, ausentes, tardanzas, justificadas e inasistencias
computadas con la regla de los ajustes) y las inasistencias del año hasta fin de mes.

Tres consultas por grupo: el padrón, los registros del mes y los conteos del año (``GROUP BY``).
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from amauta_cli import textos
from amauta_cli.models import Asistencia, Grupo, GrupoEstudiante, Perfil, Usuario
from amauta_cli.services import calendario as cal_svc
from amauta_cli.services.asistencia import (
    COLUMNAS_CONTEO,
    Regla,
    _computar,
    _conteos_sql,
    _rango,
    filtro_dias_de_clase,
)
from amauta_cli.services.comun import buscar_grupo, buscar_institucion

LETRA = {"PRESENTE": "P", "AUSENTE": "A", "TARDANZA": "T", "JUSTIFICADO": "J"}


@dataclass(frozen=True)
class DiaPlanilla:
    fecha: date
    de_clase: bool
    tipo: str
    motivo: str  # "" si es de clase; si no, por qué (feriado: ..., receso invernal...)

    @property
    def letra(self) -> str:
        """La marca de un día sin clase en la grilla (F, R, N, —)."""
        return cal_svc.LETRAS.get(self.tipo, ("", ""))[0] if not self.de_clase else ""


@dataclass
class FilaPlanilla:
    estudiante_id: str
    email: str
    apellido: str
    nombre: str
    matricula: str | None
    activo: bool
    en_grupo: bool
    estados: dict[date, str]  # día → P, A, T o J
    mes: dict[str, Any]  # conteos del mes (solo días de clase) con inasistencias y porcentaje
    anio: dict[str, Any]  # ídem desde el inicio del ciclo lectivo hasta el fin del mes


@dataclass
class PlanillaMensual:
    grupo: str
    grupo_id: str
    grado: str | None
    seccion: str | None
    institucion: str
    educador: str
    educador_email: str
    desde: date
    hasta: date
    ciclo: tuple[date, date]
    dias: list[DiaPlanilla]
    filas: list[FilaPlanilla]
    regla: Regla
    totales_mes: dict[str, Any] = field(default_factory=dict)
    totales_anio: dict[str, Any] = field(default_factory=dict)

    @property
    def dias_de_clase(self) -> int:
        return sum(1 for d in self.dias if d.de_clase)


def _mes(anio: int, mes: int) -> tuple[date, date]:
    return date(anio, mes, 1), date(anio, mes, _cal.monthrange(anio, mes)[1])


def planilla(
    s: Session,
    grupo: str,
    anio: int,
    mes: int,
    regla: Regla,
    institucion: str | None = None,
    calendarios: cal_svc.Calendarios | None = None,
) -> PlanillaMensual:
    """La planilla del mes de un grupo (activo o no)."""
    g = buscar_grupo(s, grupo, institucion)
    return _planilla(s, g, anio, mes, regla, calendarios or cal_svc.Calendarios(s))


def planillas_de_institucion(
    s: Session, institucion: str, anio: int, mes: int, regla: Regla
) -> list[PlanillaMensual]:
    """Las planillas del mes de cada grupo activo de la institución (por nombre)."""
    inst = buscar_institucion(s, institucion)
    grupos = list(s.scalars(select(Grupo).where(Grupo.institucionId == inst.id, Grupo.activo.is_(True))))
    grupos.sort(key=lambda g: textos.clave_orden(g.nombre))
    calendarios = cal_svc.Calendarios(s)
    return [_planilla(s, g, anio, mes, regla, calendarios) for g in grupos]


def _planilla(
    s: Session, g: Grupo, anio: int, mes: int, regla: Regla, calendarios: cal_svc.Calendarios
) -> PlanillaMensual:
    from amauta_cli.dialecto import dialecto

    desde, hasta = _mes(anio, mes)
    cal = calendarios.de(g.institucionId)
    dia_sql = dialecto(s).dia(Asistencia.fecha)
    registros = s.execute(
        select(Asistencia.estudianteId, dia_sql, Asistencia.estado).where(
            Asistencia.grupoId == g.id, _rango(desde, hasta)
        )
    ).all()
    con_registro = {_fecha(d) for _, d, _ in registros}
    dias = []
    for d in cal.dias(desde, hasta):
        if d.fecha.weekday() < 5 or d.de_clase or d.fecha in con_registro:
            dias.append(DiaPlanilla(d.fecha, d.de_clase, d.tipo, "" if d.de_clase else d.descripcion))
    de_clase = {d.fecha for d in dias if d.de_clase}

    inicio_ciclo, fin_ciclo = cal.ciclo(cal.ciclo_de(desde)[0] if cal.ciclo_de(desde) else cal.anio_lectivo(hasta))
    desde_anio = min(inicio_ciclo, desde)
    anual = {
        f.eid: dict(f._mapping)
        for f in s.execute(
            select(Asistencia.estudianteId.label("eid"), *_conteos_sql())
            .where(
                Asistencia.grupoId == g.id,
                _rango(desde_anio, hasta),
                filtro_dias_de_clase(s, [g.institucionId], desde_anio, hasta, calendarios),
            )
            .group_by(Asistencia.estudianteId)
        )
    }
    estados: dict[str, dict[date, str]] = {}
    for eid, d, estado in registros:
        estados.setdefault(eid, {})[_fecha(d)] = LETRA[str(getattr(estado, "value", estado))]

    miembros = s.execute(
        select(Usuario.id, Usuario.email, Usuario.apellido, Usuario.nombre, Usuario.activo, Perfil.matricula)
        .join(GrupoEstudiante, and_(GrupoEstudiante.estudianteId == Usuario.id, GrupoEstudiante.grupoId == g.id))
        .outerjoin(Perfil, Perfil.usuarioId == Usuario.id)
    ).all()
    ids_miembros = {m.id for m in miembros}
    faltan = sorted(set(estados) - ids_miembros)
    otros = []
    if faltan:
        otros = s.execute(
            select(Usuario.id, Usuario.email, Usuario.apellido, Usuario.nombre, Usuario.activo, Perfil.matricula)
            .outerjoin(Perfil, Perfil.usuarioId == Usuario.id)
            .where(Usuario.id.in_(faltan))
        ).all()
    filas = []
    for m, en_grupo in [*((m, True) for m in miembros), *((m, False) for m in otros)]:
        if not m.activo and m.id not in estados:
            continue  # un estudiante dado de baja sin registros en el mes no va en la planilla
        propios = estados.get(m.id, {})
        conteo_mes = {c: 0 for c in COLUMNAS_CONTEO}
        for d, letra in propios.items():
            if d in de_clase:
                conteo_mes["registrados"] += 1
                conteo_mes[_CLAVE[letra]] += 1
        filas.append(
            FilaPlanilla(
                m.id, m.email, m.apellido, m.nombre, m.matricula, bool(m.activo), en_grupo, propios,
                _computar(conteo_mes, regla), _computar(anual.get(m.id, {}), regla),
            )
        )
    filas.sort(key=lambda f: (not f.en_grupo, textos.clave_orden(f.apellido), textos.clave_orden(f.nombre), f.email))
    educador = s.get(Usuario, g.educadorId)
    p = PlanillaMensual(
        g.nombre, g.id, g.grado, g.seccion, g.institucion.nombre,
        f"{educador.nombre} {educador.apellido}".strip() if educador else "",
        educador.email if educador else "",
        desde, hasta, (inicio_ciclo, fin_ciclo), dias, filas, regla,
    )
    p.totales_mes = _computar({c: sum(f.mes[c] for f in filas) for c in COLUMNAS_CONTEO}, regla)
    p.totales_anio = _computar({c: sum(f.anio[c] for f in filas) for c in COLUMNAS_CONTEO}, regla)
    return p


_CLAVE = {"P": "presentes", "A": "ausentes", "T": "tardanzas", "J": "justificados"}


def _fecha(valor: Any) -> date:
    from amauta_cli.services.asistencia import _a_fecha

    return _a_fecha(valor)


# --- Asistencia por períodos (boletín) --------------------------------------------------------
@dataclass
class AsistenciaPeriodo:
    """La asistencia de un estudiante en un período (o en el año): días de clase registrados,
    inasistencias computadas con la regla, justificadas y porcentaje."""

    periodo: str
    desde: date
    hasta: date
    registrados: int
    presentes: int
    tardanzas: int
    ausentes: int
    justificados: int
    inasistencias: float
    justificadas: float
    porcentaje: float | None


def por_periodos(
    s: Session,
    grupo_id: str,
    institucion_id: str,
    estudiante_ids: Sequence[str],
    periodos: Sequence[cal_svc.Periodo],
    ciclo: tuple[date, date],
    regla: Regla,
    incluir_archivo: bool = False,
) -> tuple[dict[str, list[AsistenciaPeriodo]], dict[str, AsistenciaPeriodo]]:
    """Por estudiante: su asistencia en cada período y en todo el ciclo lectivo.

    Una consulta: los conteos por estudiante y día de clase del ciclo se agrupan por período en
    SQL (``CASE`` sobre las fechas de cada período). Solo días de clase. Con
    ``incluir_archivo``, también lo archivado (``db archivar``); sin él,
    ``archivadas_por_periodos`` dice cuánto no se contó.
    """
    from sqlalchemy import case, literal

    from amauta_cli.services import archivo

    A = archivo.fuente(s, Asistencia, incluir_archivo)
    desde, hasta = _extremos(periodos, ciclo)
    inicio, fin = ciclo
    tramo = case(
        *[
            (_rango(p.desde, p.hasta, A), literal(i))
            for i, p in enumerate(periodos)
        ],
        else_=literal(-1),
    ).label("tramo")
    filas = s.execute(
        select(A.estudianteId.label("eid"), tramo, *_conteos_sql(A))
        .where(
            A.grupoId == grupo_id,
            A.estudianteId.in_(list(estudiante_ids)),
            _rango(desde, hasta, A),
            filtro_dias_de_clase(s, [institucion_id], desde, hasta, A=A),
        )
        .group_by(A.estudianteId, tramo)
    ).all()
    conteos: dict[tuple[str, int], dict[str, Any]] = {(f.eid, int(f.tramo)): dict(f._mapping) for f in filas}
    por_est: dict[str, list[AsistenciaPeriodo]] = {}
    anual: dict[str, AsistenciaPeriodo] = {}
    for eid in estudiante_ids:
        lista = []
        total = {c: 0 for c in COLUMNAS_CONTEO}
        for i, p in enumerate(periodos):
            c = _computar(dict(conteos.get((eid, i), {})), regla)
            lista.append(_asistencia(p.nombre, p.desde, p.hasta, c))
        for (e, _i), c in conteos.items():
            if e == eid:
                for k in COLUMNAS_CONTEO:
                    total[k] += int(c[k] or 0)
        por_est[eid] = lista
        anual[eid] = _asistencia(f"Ciclo lectivo {inicio.year}", inicio, fin, _computar(total, regla))
    return por_est, anual


def _extremos(periodos: Sequence[cal_svc.Periodo], ciclo: tuple[date, date]) -> tuple[date, date]:
    inicio, fin = ciclo
    return min([inicio, *(p.desde for p in periodos)]), max([fin, *(p.hasta for p in periodos)])


def archivadas_por_periodos(
    s: Session,
    grupo_id: str,
    estudiante_ids: Sequence[str],
    periodos: Sequence[cal_svc.Periodo],
    ciclo: tuple[date, date],
) -> int:
    """Registros de asistencia archivados que ``por_periodos`` (sin el archivo) no cuenta."""
    from amauta_cli.services import archivo

    desde, hasta = _extremos(periodos, ciclo)
    return archivo.asistencias_archivadas(s, desde, hasta, grupo_id, estudiante_ids)


def _asistencia(nombre: str, desde: date, hasta: date, c: dict[str, Any]) -> AsistenciaPeriodo:
    return AsistenciaPeriodo(
        nombre, desde, hasta, c["registrados"], c["presentes"], c["tardanzas"], c["ausentes"],
        c["justificados"], c["inasistencias"], c["justificadas"], c["porcentaje"],
    )


__all__ = [
    "AsistenciaPeriodo", "DiaPlanilla", "FilaPlanilla", "PlanillaMensual", "planilla",
    "planillas_de_institucion", "por_periodos", "archivadas_por_periodos",
]
