"""Los nombres de los períodos de calificación, escritos de una sola manera en toda la institución.

Los períodos válidos son los que define el calendario de la institución (ajustes, sección
``calendario.periodos``: trimestres por defecto). ``1er trimestre``, ``1° Trimestre``, ``Primer
trimestre`` y ``1T`` son el mismo período y se guardan con su nombre configurado
(``1er Trimestre``). Un nombre que no es ninguno se rechaza con la lista de los válidos, salvo
que los ajustes permitan períodos libres (``periodos_libres: true``): entonces se usa la escritura
que la institución ya tiene para ese período (en cualquiera de sus grupos), o la dada.

``amauta calificaciones periodos normalizar`` corrige las filas ya escritas con otras escrituras
(por ejemplo, por la aplicación web), en una transacción.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amauta_cli import textos
from amauta_cli.errores import DatosInvalidos, OperacionRechazada
from amauta_cli.services import calendario as cal_svc
from amauta_cli.services.calendario import clave_periodo

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session


def _limpiar(texto: str) -> str:
    return " ".join(str(texto).split())


def explicar_validos(cal: cal_svc.Calendario, opcion: str, texto: str, institucion: str | None) -> DatosInvalidos:
    validos = cal.nombres_periodos()
    donde = f" en '{institucion}'" if institucion else ""
    return DatosInvalidos(
        f"{opcion}: '{texto}' no es un período{donde}. Los válidos son {textos.enumerar(validos)} "
        "(también escritos como 1T, 1° Trimestre o Primer trimestre). Los períodos se definen en la "
        "sección calendario del archivo de ajustes (periodos); para aceptar otros nombres, "
        "periodos_libres: true."
    )


def _institucion_de(g: Any) -> tuple[str, str]:
    """(id, nombre) de la institución de un grupo: un ``GrupoEncontrado`` o un ``Grupo``."""
    if hasattr(g, "institucion_id"):
        return g.institucion_id, g.institucion
    return g.institucionId, g.institucion.nombre


def normalizar(con: Any, g: Any, texto: str, opcion: str = "--periodo") -> str:
    """El nombre con que se guarda el período ``texto`` en el grupo ``g`` (ver el módulo).

    ``con``: una ``db.Cruda`` o una sesión de SQLAlchemy; ``g``: un ``GrupoEncontrado`` o un
    ``Grupo``. Sin consultas si el período es uno de los de los ajustes.
    """
    limpio = _limpiar(texto)
    if not limpio:
        raise DatosInvalidos(f"{opcion} no puede estar vacío.")
    inst_id, inst_nombre = _institucion_de(g)
    cal = cal_svc.calendario(None, inst_nombre, inst_id)
    nombre = cal.periodo_canonico(limpio)
    if nombre is not None:
        return nombre
    if not cal.periodos_libres:
        raise explicar_validos(cal, opcion, limpio, inst_nombre)
    return _escritura_de_la_institucion(con, inst_id, limpio) or limpio


def para_filtrar(con: Any, texto: str, institucion_id: str | None, opcion: str = "--periodo") -> str:
    """Un período para filtrar un reporte (``desaprobados --periodo``): su nombre configurado."""
    from amauta_cli.db import cruda

    limpio = _limpiar(texto)
    if not limpio:
        raise DatosInvalidos(f"{opcion} no puede estar vacío.")
    nombre_inst = None
    if institucion_id is not None:
        nombre_inst = cruda(con).valor('SELECT nombre FROM "Institucion" WHERE id = :i', i=institucion_id)
    cal = cal_svc.calendario(None, nombre_inst, institucion_id)
    nombre = cal.periodo_canonico(limpio)
    if nombre is not None:
        return nombre
    if not cal.periodos_libres:
        raise explicar_validos(cal, opcion, limpio, nombre_inst)
    if institucion_id is not None:
        return _escritura_de_la_institucion(con, institucion_id, limpio) or limpio
    return limpio


def _escritura_de_la_institucion(con: Any, institucion_id: str, texto: str) -> str | None:
    """La escritura más usada en la institución para el período ``texto`` (o None)."""
    from amauta_cli.db import cruda

    clave = clave_periodo(texto)
    filas = cruda(con).filas(
        'SELECT c.periodo, count(*) FROM "Calificacion" c JOIN "Grupo" g ON g.id = c."grupoId" '
        'WHERE g."institucionId" = :i GROUP BY c.periodo',
        i=institucion_id,
    )
    candidatos = [(int(n), p) for p, n in filas if clave_periodo(p) == clave]
    if not candidatos:
        return None
    return sorted(candidatos, key=lambda c: (-c[0], c[1]))[0][1]


# --- periodos normalizar ---------------------------------------------------------------------
@dataclass(frozen=True)
class CambioPeriodo:
    institucion: str
    grupo: str
    grupo_id: str
    de: str
    a: str
    filas: int


@dataclass(frozen=True)
class SinEquivalente:
    institucion: str
    grupo: str
    periodo: str
    filas: int
    validos: tuple[str, ...]


@dataclass(frozen=True)
class Conflicto:
    institucion: str
    grupo: str
    email: str
    materia: str
    periodo: str  # el nombre al que se llevarían
    escrituras: tuple[str, ...]  # las que ya tiene ese estudiante en esa materia


@dataclass
class ResultadoNormalizar:
    simulado: bool
    cambios: list[CambioPeriodo] = field(default_factory=list)
    sin_equivalente: list[SinEquivalente] = field(default_factory=list)
    conflictos: list[Conflicto] = field(default_factory=list)

    @property
    def filas(self) -> int:
        return sum(c.filas for c in self.cambios)


def normalizar_existentes(
    s: Session, institucion: str | None = None, simular: bool = False
) -> ResultadoNormalizar:
    """Lleva cada período escrito de otra manera a su nombre configurado (o, con períodos
    libres, a la escritura más usada en la institución). Todo en la transacción de quien llama.

    Si un estudiante tiene la misma materia en dos escrituras del mismo período (p. ej. ``1T`` y
    ``1er Trimestre``), unirlas violaría la clave única: se informa y no se cambia nada.
    """
    from sqlalchemy import func, select, text

    from amauta_cli.ids import ahora
    from amauta_cli.models import Calificacion as C
    from amauta_cli.models import Grupo, Institucion
    from amauta_cli.services.comun import buscar_institucion

    consulta = (
        select(Grupo.institucionId, Institucion.nombre, C.grupoId, Grupo.nombre, C.periodo, func.count())
        .join(Grupo, Grupo.id == C.grupoId)
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .group_by(Grupo.institucionId, Institucion.nombre, C.grupoId, Grupo.nombre, C.periodo)
    )
    if institucion is not None:
        consulta = consulta.where(Grupo.institucionId == buscar_institucion(s, institucion).id)
    filas = s.execute(consulta).all()
    calendarios = cal_svc.Calendarios(s)
    # Con períodos libres: la escritura más usada de cada período, por institución.
    usos: dict[tuple[str, str], dict[str, int]] = {}
    for inst_id, _inst, _gid, _g, periodo, n in filas:
        usos.setdefault((inst_id, clave_periodo(periodo)), {}).setdefault(periodo, 0)
        usos[(inst_id, clave_periodo(periodo))][periodo] += int(n)
    r = ResultadoNormalizar(simular)
    for inst_id, inst, gid, g, periodo, n in filas:
        cal = calendarios.de(inst_id)
        destino = cal.periodo_canonico(periodo)
        if destino is None:
            if not cal.periodos_libres:
                r.sin_equivalente.append(SinEquivalente(inst, g, periodo, int(n), tuple(cal.nombres_periodos())))
                continue
            escrituras = usos[(inst_id, clave_periodo(periodo))]
            destino = sorted(escrituras.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if destino != periodo:
            r.cambios.append(CambioPeriodo(inst, g, gid, periodo, destino, int(n)))
    orden = lambda x: (textos.clave_orden(x.institucion), textos.clave_orden(x.grupo))  # noqa: E731
    r.cambios.sort(key=lambda c: (*orden(c), textos.clave_orden(c.de)))
    r.sin_equivalente.sort(key=lambda c: (*orden(c), textos.clave_orden(c.periodo)))
    if not r.cambios:
        return r
    r.conflictos = _conflictos(s, r.cambios)
    if r.conflictos and not simular:
        raise OperacionRechazada(
            f"No se cambió nada: {textos.plural(len(r.conflictos), 'estudiante tiene', 'estudiantes tienen')} "
            "la misma materia en dos escrituras de un período; unirlas repetiría la nota. Deje una "
            "de las dos (amauta calificaciones ver / registrar) y vuelva a normalizar.",
            [
                f"{c.email}, {c.materia}, grupo '{c.grupo}' ({c.institucion}): "
                f"{textos.enumerar([repr(e) for e in c.escrituras])} serían '{c.periodo}'"
                for c in r.conflictos[:200]
            ],
        )
    if not simular:
        s.execute(
            text(
                'UPDATE "Calificacion" SET periodo = :a, "updatedAt" = :t '
                'WHERE "grupoId" = :g AND periodo = :de'
            ),
            [{"a": c.a, "de": c.de, "g": c.grupo_id, "t": ahora()} for c in r.cambios],
        )
    return r


def _conflictos(s: Session, cambios: list[CambioPeriodo]) -> list[Conflicto]:
    """Estudiantes con la misma materia en dos escrituras que irían al mismo período: una
    consulta sobre los grupos que cambian (el destino de cada escritura como ``CASE``, y
    ``GROUP BY`` grupo, estudiante, materia y destino ``HAVING count(*) > 1``)."""
    from sqlalchemy import and_, case, func, select

    from amauta_cli.models import Calificacion as C
    from amauta_cli.models import Grupo, Institucion, Usuario

    grupos = sorted({c.grupo_id for c in cambios})
    destino = case(
        *[(and_(C.grupoId == c.grupo_id, C.periodo == c.de), c.a) for c in cambios],
        else_=C.periodo,
    )
    base = (
        select(
            C.grupoId.label("gid"), C.estudianteId.label("eid"), C.materia.label("materia"),
            C.periodo.label("periodo"), destino.label("destino"),
        )
        .where(C.grupoId.in_(grupos))
        .subquery()
    )
    dup = (
        select(base.c.gid, base.c.eid, base.c.materia, base.c.destino)
        .group_by(base.c.gid, base.c.eid, base.c.materia, base.c.destino)
        .having(func.count() > 1)
        .subquery()
    )
    filas = s.execute(
        select(Institucion.nombre, Grupo.nombre, Usuario.email, base.c.materia, base.c.destino, base.c.periodo)
        .select_from(base)
        .join(
            dup,
            and_(
                dup.c.gid == base.c.gid, dup.c.eid == base.c.eid, dup.c.materia == base.c.materia,
                dup.c.destino == base.c.destino,
            ),
        )
        .join(Grupo, Grupo.id == base.c.gid)
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .join(Usuario, Usuario.id == base.c.eid)
    ).all()
    por: dict[tuple[str, str, str, str, str], list[str]] = {}
    for inst, g, email, materia, dest, periodo in filas:
        por.setdefault((inst, g, email, materia, dest), []).append(periodo)
    resultado = [
        Conflicto(inst, g, email, materia, dest, tuple(sorted(esc)))
        for (inst, g, email, materia, dest), esc in por.items()
    ]
    resultado.sort(key=lambda c: (textos.clave_orden(c.institucion), textos.clave_orden(c.grupo), c.email, c.materia))
    return resultado
