"""Asistencia: registrar el día de un grupo, verlo, reportarlo y alertar antes del límite.

Reglas (ver README, sección ``amauta asistencia``):

- El día de una ``Asistencia.fecha`` es su fecha de calendario en UTC, sea cual sea la hora:
  amauta escribe la medianoche (``ids.medianoche``), la aplicación web en Argentina escribe
  ``new Date(2026, 10, 19)`` como ``2026-11-19 03:00`` UTC. Toda lectura y toda escritura
  buscan por día (``_rango``); actualizar un registro conserva su fila y su hora (el upsert
  sobre la clave única del diseño, ``grupoId``, ``estudianteId``, ``fecha``, usa la ``fecha``
  del registro existente). Dos registros de un estudiante el mismo día (uno de cada
  herramienta) se informan y se unifican con :func:`unificar`.
- Se rechaza, sin escribir nada: un grupo inexistente o inactivo, un estudiante que no es
  del grupo, una fecha futura, un día sin clase en el calendario de la institución
  (``services.calendario``: fin de semana, feriado, receso, fuera del ciclo lectivo) sin
  ``forzar`` y un cambio de estado de un registro existente sin observación (la plataforma
  exige decir por qué).
- Porcentajes e inasistencias cuentan solo los registros de días de clase.
- Las inasistencias se computan con una :class:`Regla` (pesos por estado, límite anual,
  umbral de alerta) que se ajusta en la sección ``asistencia`` del archivo de ajustes.

Cada función recibe una ``Session`` abierta por quien llama (una transacción por comando)
y no imprime nada.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from amauta_cli import ajustes
from amauta_cli import textos
from amauta_cli.dialecto import dialecto, orden_es
from amauta_cli.textos import plural
from amauta_cli.enums import EstadoAsistencia
from amauta_cli.errores import DatosInvalidos, OperacionRechazada
from amauta_cli.ids import _HUELLA, _b36, ahora, cuid, medianoche
from amauta_cli.parsing import LIMITES, parsear_fecha, revisar_texto, sin_acentos, validar_email
from amauta_cli.services.comun import (
    buscar_grupo,
    buscar_institucion,
    estudiantes_del_grupo,
    grupo_por_nombre,
)

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

_LIMITE_OBS = LIMITES["observaciones"]

ESTADOS = [e.value for e in EstadoAsistencia]
#: Prefijo de los bloqueos por grupo (y día): ``registrar`` e ``importar`` toman los mismos.
CLAVE_BLOQUEO = "amauta.asistencia"
_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_PLURAL = {
    "PRESENTE": "presentes",
    "AUSENTE": "ausentes",
    "TARDANZA": "tardanzas",
    "JUSTIFICADO": "justificados",
}


# --- La regla de inasistencias ---------------------------------------------------------------
#: Valores por defecto de la sección ``asistencia`` del archivo de ajustes.
AJUSTES_POR_DEFECTO: dict[str, Any] = {
    "peso_ausente": 1.0,
    "peso_tardanza": 0.5,
    "peso_justificado": 1.0,
    "limite_inasistencias": 15.0,
    "porcentaje_alerta": 80.0,
    "tardanza_cuenta_como_presente": True,
    "inicio_ciclo_lectivo": "03-01",
}


@dataclass(frozen=True)
class Regla:
    """Cómo se cuentan las inasistencias y cuándo se alerta.

    - Cada AUSENTE suma ``peso_ausente``, cada TARDANZA ``peso_tardanza`` y cada
      JUSTIFICADO ``peso_justificado`` (se muestran aparte como justificadas).
    - ``limite`` inasistencias por ciclo lectivo; se alerta desde ``porcentaje_alerta``
      por ciento del límite (80 % de 15 = 12).
    - Porcentaje de asistencia = días presentes / días registrados; la TARDANZA cuenta
      como día presente si ``tardanza_presente``.
    - El ciclo lectivo empieza el ``inicio_ciclo`` (MM-DD) más reciente: es el ``--desde``
      por defecto de las alertas.
    """

    peso_ausente: float = 1.0
    peso_tardanza: float = 0.5
    peso_justificado: float = 1.0
    limite: float = 15.0
    porcentaje_alerta: float = 80.0
    tardanza_presente: bool = True
    inicio_ciclo: str = "03-01"

    @property
    def umbral(self) -> float:
        """Inasistencias desde las que se alerta."""
        return self.limite * self.porcentaje_alerta / 100

    def peso(self, estado: str) -> float:
        return {
            "AUSENTE": self.peso_ausente,
            "TARDANZA": self.peso_tardanza,
            "JUSTIFICADO": self.peso_justificado,
        }.get(str(estado), 0.0)

    def inicio_del_ciclo(self, hoy: date | None = None) -> date:
        hoy = hoy or date.today()
        mes, dia = (int(x) for x in self.inicio_ciclo.split("-"))
        inicio = date(hoy.year, mes, dia)
        return inicio if inicio <= hoy else date(hoy.year - 1, mes, dia)

    def describir(self) -> str:
        return (
            f"AUSENTE cuenta {_num(self.peso_ausente)}, TARDANZA {_num(self.peso_tardanza)}, "
            f"JUSTIFICADO {_num(self.peso_justificado)} (se muestra aparte); límite "
            f"{_num(self.limite)} por ciclo lectivo; alerta desde el {_num(self.porcentaje_alerta)} % "
            f"del límite ({_num(self.umbral)}); asistencia = días "
            f"{'presentes o con tardanza' if self.tardanza_presente else 'presentes'} / días registrados."
        )

    def como_dict(self) -> dict[str, Any]:
        return {
            "peso_ausente": self.peso_ausente,
            "peso_tardanza": self.peso_tardanza,
            "peso_justificado": self.peso_justificado,
            "limite_inasistencias": self.limite,
            "porcentaje_alerta": self.porcentaje_alerta,
            "umbral_alerta": self.umbral,
            "tardanza_cuenta_como_presente": self.tardanza_presente,
            "inicio_ciclo_lectivo": self.inicio_ciclo,
        }


def _num(x: float) -> str:
    """``0.5`` → ``0,5``; ``15.0`` → ``15`` (números para mensajes en castellano)."""
    return textos.numero(x)


def conteo_estados(por_estado: dict[str, int]) -> str:
    """``{"PRESENTE": 2, "AUSENTE": 1}`` → ``'2 presentes, 1 ausente'`` (los que no son 0)."""
    return ", ".join(
        textos.plural(n, "sin registrar", "sin registrar") if e == "sin registrar" else textos.plural(n, e.lower())
        for e, n in por_estado.items()
        if n
    )


def regla_vigente(
    limite: float | None = None,
    porcentaje: float | None = None,
    ruta_ajustes: Any = None,
) -> Regla:
    """La regla del archivo de ajustes (sección ``asistencia``), con las opciones encima."""
    a = ajustes.seccion("asistencia", AJUSTES_POR_DEFECTO, ruta_ajustes)
    donde = f"{ajustes.ruta_ajustes() if ruta_ajustes is None else ruta_ajustes}: asistencia"
    for clave in ("peso_ausente", "peso_tardanza", "peso_justificado"):
        if not 0 <= float(a[clave]) <= 10:
            raise DatosInvalidos(f"{donde}.{clave} debe estar entre 0 y 10; se leyó {a[clave]!r}.")
    inicio = str(a["inicio_ciclo_lectivo"]).strip()
    try:
        mes, dia = (int(x) for x in inicio.split("-"))
        date(2024, mes, dia)
    except ValueError:
        raise DatosInvalidos(
            f"{donde}.inicio_ciclo_lectivo debe ser MM-DD (por ejemplo 03-01); se leyó {inicio!r}."
        ) from None
    regla = Regla(
        peso_ausente=float(a["peso_ausente"]),
        peso_tardanza=float(a["peso_tardanza"]),
        peso_justificado=float(a["peso_justificado"]),
        limite=float(a["limite_inasistencias"] if limite is None else limite),
        porcentaje_alerta=float(a["porcentaje_alerta"] if porcentaje is None else porcentaje),
        tardanza_presente=bool(a["tardanza_cuenta_como_presente"]),
        inicio_ciclo=f"{mes:02d}-{dia:02d}",
    )
    if regla.limite <= 0:
        origen = "--limite" if limite is not None else f"{donde}.limite_inasistencias"
        raise DatosInvalidos(f"{origen} debe ser mayor que 0; se leyó {_num(regla.limite)}.")
    if not 0 < regla.porcentaje_alerta <= 100:
        origen = "--porcentaje" if porcentaje is not None else f"{donde}.porcentaje_alerta"
        raise DatosInvalidos(
            f"{origen} debe estar entre 1 y 100 (por ciento del límite); se leyó {_num(regla.porcentaje_alerta)}."
        )
    return regla


# --- Validaciones comunes -------------------------------------------------------------------
def parsear_estado(texto: str, campo: str = "estado") -> EstadoAsistencia:
    """``presente``, ``P``, ``Falta``, ``Llegó tarde``... → el estado (``vocabulario``)."""
    from amauta_cli.vocabulario import estado_asistencia

    return EstadoAsistencia(estado_asistencia(texto, campo))


def problema_fecha(fecha: date, hoy: date, forzar: bool) -> str | None:
    """Por qué no se puede registrar asistencia ese día en ninguna escuela (o None).

    Si ese día hay clase (fines de semana, feriados, receso, ciclo lectivo) depende de la
    institución del grupo: lo decide el calendario (:func:`validar_dia_de_clase`).
    """
    if fecha > hoy:
        return (
            f"la fecha {textos.fecha(fecha)} es futura (hoy es {textos.fecha(hoy)}): "
            "no se registra asistencia por adelantado"
        )
    return None


def validar_fecha(fecha: date, hoy: date | None, forzar: bool) -> None:
    motivo = problema_fecha(fecha, hoy or date.today(), forzar)
    if motivo:
        raise OperacionRechazada(f"No se registró nada: {motivo}.")


def validar_dia_de_clase(g: Any, fecha: date, forzar: bool) -> Any:
    """Rechaza un día sin clase en la institución del grupo ``g`` (un ``GrupoEncontrado``):
    "9/7/2026 es feriado: Día de la Independencia", salvo ``forzar``. Devuelve el ``Dia`` del
    calendario. Sin consultas: el calendario sale de los ajustes y el nombre de la institución."""
    from amauta_cli.services import calendario

    cal = calendario.calendario(None, g.institucion, g.institucion_id)
    return calendario.exigir_dia_de_clase(cal, fecha, forzar)


def _rango(desde: date, hasta: date, A: Any = None):
    """Condición ``fecha`` dentro de [desde, hasta] (días completos); ``A``: otra entidad con las
    columnas de ``Asistencia`` (con el archivo: ``archivo.fuente``)."""
    from amauta_cli.models import Asistencia
    from sqlalchemy import and_

    A = Asistencia if A is None else A
    return and_(
        A.fecha >= medianoche(desde),
        A.fecha < medianoche(hasta + timedelta(days=1)),
    )


def filtro_dias_de_clase(
    s: Session, institucion_ids: Iterable[str], desde: date, hasta: date, calendarios: Any = None,
    A: Any = None,
) -> Any:
    """Condición SQL: el registro es de un día de clase del calendario de la institución de su
    grupo (los porcentajes e inasistencias cuentan solo días de clase).

    Una lista de días por calendario distinto (las instituciones sin calendario propio comparten
    uno): ``dia(fecha) IN (...)``, unas 200 fechas por ciclo lectivo.
    """
    from sqlalchemy import and_, false, or_, select

    from amauta_cli.models import Asistencia, Grupo
    from amauta_cli.services.calendario import Calendarios

    A = Asistencia if A is None else A  # con el archivo: archivo.fuente
    calendarios = calendarios or Calendarios(s)
    por_cal: dict[int, tuple[Any, list[str]]] = {}
    for inst in sorted(set(institucion_ids)):
        cal = calendarios.de(inst)
        por_cal.setdefault(id(cal), (cal, []))[1].append(inst)
    dia = dialecto(s).dia(A.fecha)
    condiciones = []
    for cal, insts in por_cal.values():
        dias = cal.dias_de_clase(desde, hasta)
        if len(por_cal) == 1:
            return dia.in_(dias)
        grupos = select(Grupo.id).where(Grupo.institucionId.in_(insts))
        condiciones.append(and_(A.grupoId.in_(grupos), dia.in_(dias)))
    return or_(*condiciones) if condiciones else false()


# --- registrar ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Marca:
    """El estado de un estudiante tal como lo pidió el usuario.

    ``clave`` es un email o una matrícula; ``origen`` dice de dónde salió para los
    mensajes (``--ausente``, ``línea 7``...).
    """

    clave: str
    estado: EstadoAsistencia
    observaciones: str | None = None
    origen: str = ""


def parsear_marca(texto: str, estado: EstadoAsistencia | str, origen: str = "") -> Marca:
    """``EMAIL`` o ``EMAIL=observación`` (también con una matrícula en lugar del email)."""
    crudo = texto.strip()
    arroba = crudo.find("@")
    igual = crudo.find("=", arroba + 1 if arroba >= 0 else 0)
    if igual >= 0:
        clave, obs = crudo[:igual].strip(), crudo[igual + 1 :].strip()
    else:
        clave, obs = crudo, ""
    if not clave:
        raise DatosInvalidos(f"{origen or 'estudiante'}: '{texto}' no nombra a ningún estudiante (use EMAIL o EMAIL=observación).")
    obs = revisar_texto(obs, f"{origen} (observación)" if origen else "observación", "observaciones")
    return Marca(clave, parsear_estado(str(estado)), obs or None, origen)


@dataclass
class ResultadoRegistro:
    grupo: str
    grupo_id: str
    fecha: date
    creados: int
    actualizados: int
    sin_cambios: int
    por_estado: dict[str, int]
    #: Estudiantes activos del grupo que quedaron sin estado ese día (dicts con email, nombre...).
    sin_estado: list[dict[str, Any]] = field(default_factory=list)
    #: Si el día no es de clase y se registró con ``forzar``: por qué no lo es.
    dia_sin_clase: str | None = None

    @property
    def total(self) -> int:
        return self.creados + self.actualizados + self.sin_cambios

    def resumen(self) -> str:
        estados = conteo_estados(self.por_estado)
        return (
            f"Asistencia de '{self.grupo}' del {textos.dia_semana(self.fecha)} {textos.fecha(self.fecha)}: "
            f"{estados}. {textos.plural(self.creados, 'creado')}, "
            f"{textos.plural(self.actualizados, 'actualizado')}, {self.sin_cambios} sin cambios."
        )


def _bloquear_grupo_dia(c: Any, grupo_id: str, fecha: date) -> None:
    """Serializa los registros de un mismo grupo y día (hasta el commit).

    Así el segundo de dos ``registrar`` simultáneos lee lo que escribió el primero: los
    conteos son exactos y la regla de la observación no se saltea por una carrera. Antes toma
    el del grupo entero en modo compartido: registros de días distintos no se esperan, pero
    una importación que toca el grupo (``_bloquear_grupos``, exclusivo) sí.
    """
    c.d.bloqueo_compartido_sql(c, CLAVE_BLOQUEO, grupo_id)
    c.d.bloqueo_sql(c, CLAVE_BLOQUEO, grupo_id, fecha.isoformat())


def _bloquear_grupos(c: Any, grupos: Iterable[str]) -> None:
    """``importar``: el bloqueo exclusivo de cada grupo del archivo, en orden fijo (por id),
    antes de leer sus registros: espera a los ``registrar`` en curso de esos grupos (y ellos
    a la importación), y dos importaciones que comparten grupos no se traban. Uno por grupo,
    no por grupo y día: un distrito entero son cientos de bloqueos, no cientos de miles."""
    for gid in sorted(grupos):
        c.d.bloqueo_sql(c, CLAVE_BLOQUEO, gid)


def _indice_planilla(planilla: list[dict[str, Any]]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    por_email = {str(e["email"]).lower(): e for e in planilla}
    por_matricula: dict[str, list[dict]] = {}
    for e in planilla:
        if e.get("matricula"):
            por_matricula.setdefault(str(e["matricula"]).strip().lower(), []).append(e)
    return por_email, por_matricula


def _nombre(e: dict[str, Any]) -> str:
    return f"{e['apellido']}, {e['nombre']} ({e['email']})"


def registrar(
    con: Any,
    grupo: str,
    fecha: date,
    marcas: Iterable[Marca] = (),
    todos: EstadoAsistencia | str | None = None,
    forzar: bool = False,
    hoy: date | None = None,
    institucion: str | None = None,
) -> ResultadoRegistro:
    """Registra la asistencia de un grupo en un día: un upsert de pocas consultas.

    ``todos`` pone ese estado a cada estudiante activo del grupo que no esté en
    ``marcas``; sin ``todos`` se escriben solo los estudiantes nombrados. Todo o nada:
    ante cualquier problema lanza un error con la lista de problemas y no escribe.

    ``con``: una ``db.Cruda`` (el comando) o una sesión de SQLAlchemy: SQL a secas en ambos
    casos, sin cargar los modelos (es un comando de todos los días).
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    marcas = list(marcas)
    validar_fecha(fecha, hoy, forzar)
    g = grupo_por_nombre(c, grupo, institucion, exigir_activo=True)
    dia_cal = validar_dia_de_clase(g, fecha, forzar)
    if not marcas and todos is None:
        raise DatosInvalidos(
            "No hay nada que registrar: indique --todos ESTADO, excepciones (--ausente EMAIL ...) o --archivo."
        )
    _bloquear_grupo_dia(c, g.id, fecha)
    planilla = estudiantes_del_grupo(c, g.id)
    if not planilla:
        raise DatosInvalidos(
            f"El grupo '{g.nombre}' no tiene estudiantes: agréguelos con `amauta grupos` antes de tomar asistencia."
        )
    por_email, por_matricula = _indice_planilla(planilla)

    problemas: list[str] = []
    desconocidos: list[Marca] = []
    pedido: dict[str, tuple[EstadoAsistencia, str | None, Marca]] = {}
    for m in marcas:
        clave = m.clave.strip().lower()
        donde = f"{m.origen}: " if m.origen else ""
        if "@" in clave:
            est = por_email.get(clave)
        else:
            candidatos = por_matricula.get(clave, [])
            if len(candidatos) > 1:
                problemas.append(
                    f"{donde}la matrícula '{m.clave}' la tienen {len(candidatos)} estudiantes del grupo; "
                    "nómbrelos por email"
                )
                continue
            est = candidatos[0] if candidatos else None
        if est is None:
            desconocidos.append(m)
            continue
        if not est["activo"]:
            problemas.append(f"{donde}{_nombre(est)} está inactivo: no se le registra asistencia")
            continue
        previo = pedido.get(est["id"])
        if previo is not None and (previo[0], previo[1]) != (m.estado, m.observaciones):
            problemas.append(
                f"{donde}{_nombre(est)} aparece dos veces con datos distintos "
                f"({previo[2].origen or previo[0]}: {previo[0]}, {m.origen or m.estado}: {m.estado})"
            )
            continue
        pedido[est["id"]] = (m.estado, m.observaciones, m)
    if desconocidos:
        problemas.extend(_explicar_desconocidos(c, desconocidos, g.nombre))
    if problemas:
        raise DatosInvalidos(
            f"No se registró nada en '{g.nombre}': {plural(len(problemas), 'problema')}.", problemas
        )

    objetivo: dict[str, tuple[EstadoAsistencia, str | None]] = {
        k: (v[0], v[1]) for k, v in pedido.items()
    }
    if todos is not None:
        todos = parsear_estado(str(todos), "todos")
        for e in planilla:
            if e["activo"] and e["id"] not in objetivo:
                objetivo[e["id"]] = (todos, None)

    dia = medianoche(fecha)
    # Los registros de ese día, sea cual sea su hora (la aplicación web escribe las 03:00 UTC).
    del_dia: dict[str, list[tuple]] = {}
    for est, f, estado, obs in c.filas(
        'SELECT "estudianteId", fecha, estado, observaciones FROM "Asistencia" '
        'WHERE "grupoId" = :g AND fecha >= :desde AND fecha < :hasta',
        g=g.id,
        desde=c.d.fecha_hora_a_bd(dia),
        hasta=c.d.fecha_hora_a_bd(medianoche(fecha + timedelta(days=1))),
    ):
        del_dia.setdefault(est, []).append((c.d.fecha_hora_de_bd(f), EstadoAsistencia(estado), obs))
    por_id = {e["id"]: e for e in planilla}
    repetidos_dia = [est_id for est_id in objetivo if len(del_dia.get(est_id, ())) > 1]
    if repetidos_dia:
        raise OperacionRechazada(
            f"No se registró nada en '{g.nombre}': hay estudiantes con más de un registro de "
            f"asistencia el {textos.fecha(fecha)} (uno de la aplicación web y otro de amauta). "
            "Unifíquelos primero (se conserva el más reciente) con `amauta asistencia unificar "
            f"--grupo \"{g.nombre}\" --desde {fecha.isoformat()} --hasta {fecha.isoformat()}`.",
            [
                f"{_nombre(por_id[e])}: "
                + ", ".join(f"{estado} ({f:%H:%M} UTC)" for f, estado, _ in sorted(del_dia[e]))
                for e in repetidos_dia
            ],
        )
    existentes = {k: (v[0][1], v[0][2], v[0][0]) for k, v in del_dia.items()}
    instante = ahora()
    filas: list[dict[str, Any]] = []
    creados = actualizados = sin_cambios = 0
    for est_id, (estado, obs) in objetivo.items():
        previo = existentes.get(est_id)
        if previo is None:
            creados += 1
        elif previo[0] == estado and (obs is None or obs == previo[1]):
            sin_cambios += 1
            continue
        elif previo[0] != estado and not obs:
            m = pedido.get(est_id)
            origen = m[2].origen if m else ""
            if origen.startswith("línea"):
                ejemplo = "complete la columna observaciones"
            else:
                ejemplo = f"por ejemplo --{estado.lower()} \"{por_id[est_id]['email']}=motivo\""
            problemas.append(
                f"{origen + ': ' if origen else ''}{_nombre(por_id[est_id])} ya figura {previo[0]} "
                f"el {textos.fecha(fecha)}; para cambiarlo a {estado} hace falta una observación que "
                f"diga por qué ({ejemplo})"
            )
            continue
        else:
            actualizados += 1
        filas.append(
            {
                "id": cuid(),
                "grupoId": g.id,
                "estudianteId": est_id,
                # Un registro existente conserva su fila y su hora: el upsert choca con él.
                "fecha": previo[2] if previo is not None else dia,
                "estado": estado,
                "observaciones": obs,
                "createdAt": instante,
                "updatedAt": instante,
            }
        )
    if problemas:
        raise OperacionRechazada(
            f"No se registró nada en '{g.nombre}': cambiar el estado de un registro existente "
            "exige una observación.",
            problemas,
        )
    _upsert(c, filas)
    conteo = {e: 0 for e in ESTADOS}
    for estado, _ in objetivo.values():
        conteo[str(estado)] += 1
    return ResultadoRegistro(
        g.nombre, g.id, fecha, creados, actualizados, sin_cambios, conteo,
        sin_estado=[e for e in planilla if e["activo"] and e["id"] not in objetivo and e["id"] not in existentes],
        dia_sin_clase=None if dia_cal.de_clase else dia_cal.explicacion,
    )


def _upsert(c: Any, filas: list[dict[str, Any]]) -> None:
    """``INSERT ... ON CONFLICT (grupoId, estudianteId, fecha) DO UPDATE``, fila por fila en un
    ``executemany`` (en PostgreSQL, psycopg las manda juntas)."""
    if not filas:
        return
    a_bd = c.d.fecha_hora_a_bd
    c.ejecutar_muchos(
        'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
        '"createdAt", "updatedAt") VALUES (:id, :grupoId, :estudianteId, :fecha, :estado, '
        ':observaciones, :createdAt, :updatedAt) '
        'ON CONFLICT ("grupoId", "estudianteId", fecha) DO UPDATE SET estado = excluded.estado, '
        'observaciones = coalesce(excluded.observaciones, "Asistencia".observaciones), '
        '"updatedAt" = excluded."updatedAt"',
        [
            {
                **f,
                "estado": str(f["estado"]),
                "fecha": a_bd(f["fecha"]),
                "createdAt": a_bd(f["createdAt"]),
                "updatedAt": a_bd(f["updatedAt"]),
            }
            for f in filas
        ],
    )


def _explicar_desconocidos(c: Any, marcas: list[Marca], grupo: str) -> list[str]:
    """Por qué cada clave no es de un estudiante del grupo (una consulta para todas)."""
    emails = sorted({m.clave.strip().lower() for m in marcas if "@" in m.clave})
    existentes: dict[str, str] = {}
    if emails:
        condicion, valor = c.d.en_lista_sql("lower(email)", "emails", emails)
        for email, rol in c.filas(f'SELECT lower(email), rol FROM "Usuario" WHERE {condicion}', emails=valor):
            existentes[email] = str(rol)
    problemas = []
    for m in marcas:
        clave = m.clave.strip()
        donde = f"{m.origen}: " if m.origen else ""
        if "@" not in clave:
            problemas.append(f"{donde}ningún estudiante del grupo '{grupo}' tiene la matrícula '{clave}'")
        elif clave.lower() in existentes:
            problemas.append(
                f"{donde}{clave} ({existentes[clave.lower()]}) no es estudiante del grupo '{grupo}'"
            )
        else:
            problemas.append(f"{donde}no existe un usuario con el email '{clave}'")
    return problemas


# --- ver -------------------------------------------------------------------------------------------
@dataclass
class Planilla:
    grupo: str
    grupo_id: str
    institucion: str
    fecha: date
    filas: list[dict[str, Any]]

    @property
    def repetidos(self) -> list[dict[str, Any]]:
        """Estudiantes con más de un registro ese día (se muestra el más reciente)."""
        return [f for f in self.filas if f["registros"] > 1]

    @property
    def conteo(self) -> dict[str, int]:
        c = {e: 0 for e in ESTADOS}
        c["sin registrar"] = 0
        for f in self.filas:
            c[f["estado"] or "sin registrar"] += 1
        return c


def planilla(con: Any, grupo: str, fecha: date, institucion: str | None = None) -> Planilla:
    """Los estudiantes del grupo con su estado de ese día (o None): una consulta.

    ``con``: una ``db.Cruda`` (el comando) o una sesión de SQLAlchemy.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    d = c.d
    g = grupo_por_nombre(c, grupo, institucion)
    filas = c.dicts(
        "SELECT u.id, u.email, u.apellido, u.nombre, u.activo, p.matricula, a.estado, "
        'a.observaciones, a."updatedAt" AS actualizado, a.id AS registro FROM "GrupoEstudiante" ge '
        'JOIN "Usuario" u ON u.id = ge."estudianteId" '
        'LEFT JOIN "Perfil" p ON p."usuarioId" = u.id '
        'LEFT JOIN "Asistencia" a ON a."estudianteId" = u.id AND a."grupoId" = ge."grupoId" '
        "AND a.fecha >= :desde AND a.fecha < :hasta "
        'WHERE ge."grupoId" = :g '
        f"ORDER BY {d.orden_es_sql('u.apellido')}, {d.orden_es_sql('u.nombre')}, u.email",
        g=g.id,
        desde=d.fecha_hora_a_bd(medianoche(fecha)),
        hasta=d.fecha_hora_a_bd(medianoche(fecha + timedelta(days=1))),
    )
    # Con dos registros del mismo día (uno de cada herramienta) vale el más reciente; se
    # cuentan para avisar (``amauta asistencia unificar`` los une).
    por_estudiante: dict[str, dict[str, Any]] = {}
    cuantos: dict[str, int] = {}
    for f in filas:
        f["activo"] = bool(f["activo"])
        f["estado"] = str(f["estado"]) if f["estado"] is not None else None
        previo = por_estudiante.get(f["id"])
        if previo is not None:
            cuantos[f["id"]] = cuantos.get(f["id"], 1) + 1
            if (str(previo["actualizado"]), previo["registro"]) >= (str(f["actualizado"]), f["registro"]):
                continue
        por_estudiante[f["id"]] = f
    resultado = []
    for f in por_estudiante.values():
        f["registros"] = cuantos.get(f["id"], 1 if f["estado"] is not None else 0)
        del f["actualizado"], f["registro"]
        # Un estudiante dado de baja no está "sin registrar": figura solo si tiene un registro
        # ese día (la lista habla del pasado y lo marca con ``activo``).
        if f["activo"] or f["estado"] is not None:
            resultado.append(f)
    return Planilla(g.nombre, g.id, g.institucion, fecha, resultado)


# --- pendientes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pendiente:
    """Un grupo activo que, un día de clase, no tomó asistencia o la tomó a medias."""

    fecha: date
    grupo_id: str
    grupo: str
    institucion: str
    educador: str
    estudiantes: int  # estudiantes activos del grupo
    sin_estado: int  # cuántos de ellos no tienen estado ese día

    @property
    def situacion(self) -> str:
        return "sin registro" if self.sin_estado == self.estudiantes else "incompleto"


def pendientes(
    s: Session, desde: date, hasta: date | None = None, institucion: str | None = None
) -> list[Pendiente]:
    """Los días de clase de [desde, hasta] en que un grupo activo (con estudiantes activos) no
    registró asistencia, o dejó estudiantes activos sin estado. Nunca un día sin clase del
    calendario de la institución del grupo.

    Dos consultas: los grupos con su cantidad de estudiantes activos, y cuántos de ellos tienen
    estado cada día del rango (``GROUP BY`` grupo y día). El resto, en memoria.
    """
    from sqlalchemy import and_, func, select

    from amauta_cli.models import Asistencia, Grupo, GrupoEstudiante, Institucion, Usuario
    from amauta_cli.services.calendario import Calendarios

    hasta = hasta or desde
    if hasta < desde:
        raise DatosInvalidos(f"--hasta ({textos.fecha(hasta)}) es anterior a --desde ({textos.fecha(desde)}).")
    educador = Usuario.__table__.alias("educador")
    alumno = Usuario.__table__.alias("alumno")
    grupos = (
        select(
            Grupo.id, Grupo.nombre, Grupo.institucionId, Institucion.nombre.label("institucion"),
            educador.c.email.label("educador"), func.count(alumno.c.id).label("estudiantes"),
        )
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .join(educador, educador.c.id == Grupo.educadorId)
        .join(GrupoEstudiante, GrupoEstudiante.grupoId == Grupo.id)
        .join(alumno, and_(alumno.c.id == GrupoEstudiante.estudianteId, alumno.c.activo.is_(True)))
        .where(Grupo.activo.is_(True))
        .group_by(Grupo.id, Grupo.nombre, Grupo.institucionId, Institucion.nombre, educador.c.email)
    )
    if institucion:
        grupos = grupos.where(Grupo.institucionId == buscar_institucion(s, institucion).id)
    lista = s.execute(grupos).all()
    if not lista:
        return []
    dia = dialecto(s).dia(Asistencia.fecha)
    ids = [g.id for g in lista]
    registrados: dict[tuple[str, date], int] = {}
    for gid, d, n in s.execute(
        select(Asistencia.grupoId, dia, func.count(func.distinct(Asistencia.estudianteId)))
        .join(
            GrupoEstudiante,
            and_(GrupoEstudiante.grupoId == Asistencia.grupoId, GrupoEstudiante.estudianteId == Asistencia.estudianteId),
        )
        .join(alumno, and_(alumno.c.id == Asistencia.estudianteId, alumno.c.activo.is_(True)))
        .where(Asistencia.grupoId.in_(ids), _rango(desde, hasta))
        .group_by(Asistencia.grupoId, dia)
    ):
        registrados[(gid, _a_fecha(d))] = int(n)
    calendarios = Calendarios(s)
    resultado = []
    for g in lista:
        for d in calendarios.de(g.institucionId).dias_de_clase(desde, hasta):
            faltan = g.estudiantes - registrados.get((g.id, d), 0)
            if faltan > 0:
                resultado.append(
                    Pendiente(d, g.id, g.nombre, g.institucion, g.educador, int(g.estudiantes), int(faltan))
                )
    from amauta_cli.textos import clave_orden

    resultado.sort(key=lambda p: (p.fecha, clave_orden(p.institucion), clave_orden(p.grupo), p.grupo_id))
    return resultado


# --- reporte ---------------------------------------------------------------------------------------
COLUMNAS_CONTEO = ("registrados", "presentes", "tardanzas", "ausentes", "justificados")


def _conteos_sql(A: Any = None):
    """Expresiones de conteo por estado (SUM(CASE ...), igual en ambos motores)."""

    from amauta_cli.models import Asistencia
    from sqlalchemy import case, func

    A = Asistencia if A is None else A

    def contar(estado: EstadoAsistencia):
        return func.coalesce(func.sum(case((A.estado == estado, 1), else_=0)), 0)

    return [
        func.count(A.id).label("registrados"),
        contar(EstadoAsistencia.PRESENTE).label("presentes"),
        contar(EstadoAsistencia.TARDANZA).label("tardanzas"),
        contar(EstadoAsistencia.AUSENTE).label("ausentes"),
        contar(EstadoAsistencia.JUSTIFICADO).label("justificados"),
    ]


def _computar(d: dict[str, Any], regla: Regla) -> dict[str, Any]:
    """Agrega a una fila de conteos las inasistencias computadas y el porcentaje."""
    for c in COLUMNAS_CONTEO:
        d[c] = int(d.get(c) or 0)
    d["inasistencias"] = round(
        d["ausentes"] * regla.peso_ausente
        + d["tardanzas"] * regla.peso_tardanza
        + d["justificados"] * regla.peso_justificado,
        4,
    )
    d["justificadas"] = round(d["justificados"] * regla.peso_justificado, 4)
    d["injustificadas"] = round(d["inasistencias"] - d["justificadas"], 4)
    presentes = d["presentes"] + (d["tardanzas"] if regla.tardanza_presente else 0)
    d["porcentaje"] = round(100 * presentes / d["registrados"], 1) if d["registrados"] else None
    return d


@dataclass
class Reporte:
    grupo: str
    grupo_id: str
    institucion: str
    desde: date
    hasta: date
    regla: Regla
    filas: list[dict[str, Any]]
    totales: dict[str, Any] = field(default_factory=dict)
    #: Registros del período en días sin clase (feriados, receso...): no se cuentan.
    registros_sin_clase: int = 0
    #: Filas archivadas (db archivar) del período que el reporte no cuenta (sin --incluir-archivo).
    archivadas: int = 0

    def como_dict(self) -> dict[str, Any]:
        return {
            "grupo": self.grupo,
            "grupo_id": self.grupo_id,
            "institucion": self.institucion,
            "desde": self.desde,
            "hasta": self.hasta,
            "regla": self.regla.como_dict(),
            "estudiantes": self.filas,
            "totales": self.totales,
            "registros_sin_clase": self.registros_sin_clase,
        }


def _conteos_sql_texto(alias: str = "a") -> str:
    """Los conteos por estado de ``_conteos_sql`` en SQL a secas (los mismos nombres)."""
    partes = [f"count({alias}.id) AS registrados"]
    for estado, nombre in (
        (EstadoAsistencia.PRESENTE, "presentes"),
        (EstadoAsistencia.TARDANZA, "tardanzas"),
        (EstadoAsistencia.AUSENTE, "ausentes"),
        (EstadoAsistencia.JUSTIFICADO, "justificados"),
    ):
        partes.append(f"coalesce(sum(CASE WHEN {alias}.estado = '{estado.value}' THEN 1 ELSE 0 END), 0) AS {nombre}")
    return ", ".join(partes)


def reporte(
    con: Any,
    grupo: str,
    desde: date,
    hasta: date,
    regla: Regla,
    institucion: str | None = None,
    incluir_archivo: bool = False,
) -> Reporte:
    """Por estudiante: días de cada estado, inasistencias computadas y porcentaje; y totales.

    Una consulta agregada: los estudiantes del grupo (y quien tenga registros en el grupo
    en el período aunque ya no figure en él) con sus conteos del período; otra cuenta los
    registros de días sin clase. SQL a secas (``con``: una ``db.Cruda``, o una sesión de
    SQLAlchemy): el comando no importa el ORM, que tarda más en cargarse que la consulta.
    """
    from amauta_cli.db import cruda
    from amauta_cli.services.calendario import calendario

    if hasta < desde:
        raise DatosInvalidos(f"--hasta ({textos.fecha(hasta)}) es anterior a --desde ({textos.fecha(desde)}).")
    c = cruda(con)
    d = c.d
    g = grupo_por_nombre(c, grupo, institucion)
    dias = calendario(None, g.institucion, g.institucion_id).dias_de_clase(desde, hasta)
    de_clase, valor_dias = d.dias_sql("a.fecha", "dias", dias)
    rango = 'a."grupoId" = :g AND a.fecha >= :desde AND a.fecha < :hasta'
    # Con --incluir-archivo, las filas vivas y las archivadas (0006) como un solo origen.
    archivada = d.nombre_archivo("Asistencia")
    cols = 'id, "grupoId", "estudianteId", fecha, estado'
    origen = (
        f'(SELECT {cols} FROM "Asistencia" UNION ALL SELECT {cols} FROM {archivada})'
        if incluir_archivo else '"Asistencia"'
    )
    params = {
        "g": g.id,
        "desde": d.fecha_hora_a_bd(medianoche(desde)),
        "hasta": d.fecha_hora_a_bd(medianoche(hasta + timedelta(days=1))),
        "dias": valor_dias,
    }
    o = d.orden_es_sql
    filas = c.dicts(
        f'WITH conteos AS (SELECT a."estudianteId" AS eid, {_conteos_sql_texto()} FROM {origen} a '
        f'WHERE {rango} AND {de_clase} GROUP BY a."estudianteId"), '
        'ids AS (SELECT ge."estudianteId" AS eid FROM "GrupoEstudiante" ge WHERE ge."grupoId" = :g '
        "UNION SELECT eid FROM conteos) "
        "SELECT u.email, u.apellido, u.nombre, p.matricula, "
        + ", ".join(f"k.{col}" for col in COLUMNAS_CONTEO)
        + ' FROM ids JOIN "Usuario" u ON u.id = ids.eid '
        'LEFT JOIN "Perfil" p ON p."usuarioId" = u.id '
        "LEFT JOIN conteos k ON k.eid = ids.eid "
        f"ORDER BY {o('u.apellido')}, {o('u.nombre')}, u.email",
        **params,
    )
    resultado = [_computar(f, regla) for f in filas]
    totales = _computar({col: sum(f[col] for f in resultado) for col in COLUMNAS_CONTEO}, regla)
    totales["estudiantes"] = len(resultado)
    sin_clase = c.valor(f'SELECT count(a.id) FROM {origen} a WHERE {rango} AND NOT ({de_clase})', **params)
    archivadas = 0 if incluir_archivo else c.valor(f"SELECT count(*) FROM {archivada} a WHERE {rango}", **params)
    return Reporte(
        g.nombre, g.id, g.institucion, desde, hasta, regla, resultado, totales, int(sin_clase or 0),
        int(archivadas or 0),
    )


# --- alertas ---------------------------------------------------------------------------------------
def alertas(
    s: Session,
    regla: Regla,
    desde: date | None = None,
    hasta: date | None = None,
    institucion: str | None = None,
    grupo: str | None = None,
    incluir_archivo: bool = False,
    archivadas: list[int] | None = None,
) -> tuple[date, list[dict[str, Any]]]:
    """Estudiantes en el umbral de alerta o por encima, el peor primero (una consulta).

    Cuenta desde ``desde`` (por defecto, el inicio del ciclo lectivo) en los grupos
    activos; solo estudiantes activos.
    """
    from amauta_cli.models import Asistencia, Grupo, Institucion, Usuario
    from amauta_cli.services import archivo
    from sqlalchemy import case, func, literal, select

    desde = desde or regla.inicio_del_ciclo()
    A = archivo.fuente(s, Asistencia, incluir_archivo)
    peso = case(
        (A.estado == EstadoAsistencia.AUSENTE, literal(regla.peso_ausente)),
        (A.estado == EstadoAsistencia.TARDANZA, literal(regla.peso_tardanza)),
        (A.estado == EstadoAsistencia.JUSTIFICADO, literal(regla.peso_justificado)),
        else_=literal(0.0),
    )
    computadas = func.sum(peso)
    filtro = [A.fecha >= medianoche(desde)]
    if hasta is not None:
        filtro.append(A.fecha < medianoche(hasta + timedelta(days=1)))
    grupos = select(Grupo.id).where(Grupo.activo.is_(True))
    if not grupo and not institucion:
        from amauta_cli.services.accesos import institucion_de_la_escuela

        institucion = institucion_de_la_escuela(s)  # credenciales de escuela: la suya
    if grupo:
        grupos = grupos.where(Grupo.id == buscar_grupo(s, grupo, institucion).id)
    elif institucion:
        grupos = grupos.where(Grupo.institucionId == buscar_institucion(s, institucion).id)
    if archivadas is not None and not incluir_archivo:
        # Quien pregunta quiere saber si el período tiene asistencia archivada que no se cuenta.
        archivadas.append(archivo.asistencias_archivadas(s, desde, hasta, grupos))
    instituciones = s.scalars(select(Grupo.institucionId).where(Grupo.id.in_(grupos)).distinct()).all()
    filtro.append(filtro_dias_de_clase(s, instituciones, desde, hasta or date.today(), A=A))
    agregado = (
        select(
            A.grupoId.label("gid"),
            A.estudianteId.label("eid"),
            *_conteos_sql(A),
            computadas.label("computadas"),
        )
        .where(*filtro, A.grupoId.in_(grupos))
        .group_by(A.grupoId, A.estudianteId)
        # Margen para pesos no representables en binario (0,1 + 0,2 ...).
        .having(computadas >= regla.umbral - 1e-9)
        .subquery()
    )
    # Agrupa todo el distrito por estudiante: con la memoria por defecto la ordenación se
    # derrama a disco; con 64 MB agrupa en memoria (solo en esta transacción).
    dialecto(s).memoria_de_trabajo(s.connection(), MEMORIA_REPORTES)
    filas = s.execute(
        select(
            Grupo.nombre.label("grupo"),
            Institucion.nombre.label("institucion"),
            Usuario.email,
            Usuario.apellido,
            Usuario.nombre,
            *(agregado.c[c] for c in COLUMNAS_CONTEO),
        )
        .select_from(agregado)
        .join(Grupo, Grupo.id == agregado.c.gid)
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .join(Usuario, Usuario.id == agregado.c.eid)
        .where(Usuario.activo.is_(True))
        .order_by(agregado.c.computadas.desc(), *orden_es(s, Usuario.apellido, Usuario.nombre), Usuario.email)
    ).all()
    resultado = []
    for f in filas:
        d = _computar(dict(f._mapping), regla)
        d["limite"] = regla.limite
        d["restantes"] = round(max(regla.limite - d["inasistencias"], 0), 4)
        if d["inasistencias"] > regla.limite + 1e-9:
            d["situacion"] = "superó el límite"
        elif d["inasistencias"] >= regla.limite - 1e-9:
            d["situacion"] = "en el límite"
        else:
            d["situacion"] = "cerca del límite"
        resultado.append(d)
    # Peor primero: más inasistencias, luego menor porcentaje de asistencia.
    resultado.sort(key=lambda d: (-d["inasistencias"], d["porcentaje"] if d["porcentaje"] is not None else 101))
    return desde, resultado


# --- registros repetidos de un mismo día -------------------------------------------------------------
@dataclass(frozen=True)
class RegistroRepetido:
    """Un registro de un estudiante que tiene más de uno en el mismo día (ver ``repetidos``)."""

    id: str
    grupo: str
    grupo_id: str
    email: str
    estudiante: str
    dia: date
    fecha: datetime
    estado: str
    observaciones: str | None
    actualizado: datetime
    #: El más reciente por ``updatedAt`` (a igualdad, el de mayor id): el que ``unificar`` deja.
    conservar: bool


def repetidos(
    s: Any,
    grupo: str | None = None,
    institucion: str | None = None,
    desde: date | None = None,
    hasta: date | None = None,
) -> list[RegistroRepetido]:
    """Los registros de los estudiantes con más de uno el mismo día (dos consultas, ninguna por fila).

    El día de un registro es la fecha UTC de su ``fecha``: la clave única del diseño admite
    ``2026-11-19 00:00`` (amauta) y ``2026-11-19 03:00`` (la aplicación web) a la vez.
    ``s`` es una ``Session`` (o, sin ``grupo`` ni ``institucion``, una ``Connection``).
    """
    from sqlalchemy import and_, func, select

    from amauta_cli.models import Asistencia, Grupo, Usuario

    filtros: list[Any] = []
    if grupo is not None:
        filtros.append(Asistencia.grupoId == buscar_grupo(s, grupo, institucion).id)
    elif institucion is not None:
        inst = buscar_institucion(s, institucion)
        filtros.append(Asistencia.grupoId.in_(select(Grupo.id).where(Grupo.institucionId == inst.id)))
    if desde is not None:
        filtros.append(Asistencia.fecha >= medianoche(desde))
    if hasta is not None:
        filtros.append(Asistencia.fecha < medianoche(hasta + timedelta(days=1)))
    dia = func.date(Asistencia.fecha)
    claves = (
        select(Asistencia.grupoId, Asistencia.estudianteId, dia.label("dia"))
        .where(*filtros)
        .group_by(Asistencia.grupoId, Asistencia.estudianteId, dia)
        .having(func.count() > 1)
        .subquery()
    )
    orden = func.row_number().over(
        partition_by=(Asistencia.grupoId, Asistencia.estudianteId, claves.c.dia),
        order_by=(Asistencia.updatedAt.desc(), Asistencia.id.desc()),
    )
    d = dialecto(s)
    filas = s.execute(
        select(
            Asistencia.id,
            Grupo.nombre.label("grupo"),
            Asistencia.grupoId,
            Usuario.email,
            Usuario.apellido,
            Usuario.nombre,
            claves.c.dia,
            Asistencia.fecha,
            Asistencia.estado,
            Asistencia.observaciones,
            Asistencia.updatedAt,
            orden.label("orden"),
        )
        .join(
            claves,
            and_(
                claves.c.grupoId == Asistencia.grupoId,
                claves.c.estudianteId == Asistencia.estudianteId,
                dia == claves.c.dia,
            ),
        )
        .join(Grupo, Grupo.id == Asistencia.grupoId)
        .join(Usuario, Usuario.id == Asistencia.estudianteId)
        .where(*filtros)
        .order_by(
            d.orden_es(Grupo.nombre), Asistencia.grupoId, claves.c.dia,
            d.orden_es(Usuario.apellido), d.orden_es(Usuario.nombre), Usuario.email, "orden",
        )
    ).all()
    return [
        RegistroRepetido(
            f.id, f.grupo, f.grupoId, f.email, f"{f.apellido}, {f.nombre}", _a_fecha(f.dia),
            f.fecha, str(f.estado), f.observaciones, f.updatedAt, f.orden == 1,
        )
        for f in filas
    ]


@dataclass(frozen=True)
class ResultadoUnificacion:
    borrados: int
    conservados: int


def unificar(
    s: "Session",
    previstos: list[RegistroRepetido],
    grupo: str | None = None,
    institucion: str | None = None,
    desde: date | None = None,
    hasta: date | None = None,
) -> ResultadoUnificacion:
    """Deja un registro por estudiante y día, el más reciente (``updatedAt``), y borra los otros.

    ``previstos`` es lo que se le mostró al usuario (``repetidos`` con los mismos filtros):
    si la base cambió mientras confirmaba, no se borra nada.
    """
    from sqlalchemy import delete

    from amauta_cli.db import cruda
    from amauta_cli.models import Asistencia

    c = cruda(s)
    for grupo_id, dia in sorted({(r.grupo_id, r.dia) for r in previstos}):
        _bloquear_grupo_dia(c, grupo_id, dia)
    actuales = repetidos(s, grupo, institucion, desde, hasta)
    if {(r.id, r.conservar) for r in actuales} != {(r.id, r.conservar) for r in previstos}:
        raise OperacionRechazada(
            "Los registros repetidos cambiaron mientras se confirmaba (alguien registró asistencia "
            "en esos días): no se borró nada. Vuelva a ejecutar el comando para ver la lista nueva."
        )
    ids = [r.id for r in actuales if not r.conservar]
    for i in range(0, len(ids), 1000):
        s.execute(delete(Asistencia).where(Asistencia.id.in_(ids[i : i + 1000])))
    return ResultadoUnificacion(len(ids), sum(1 for r in actuales if r.conservar))


# --- exportar --------------------------------------------------------------------------------------
COLUMNAS_ARCHIVO = ("grupo", "email", "fecha", "estado", "observaciones")


def exportar(
    s: Session,
    grupo: str | None = None,
    institucion: str | None = None,
    desde: date | None = None,
    hasta: date | None = None,
    lote: int = 5000,
) -> Iterator[dict[str, Any]]:
    """Filas ``grupo, email, fecha, estado, observaciones`` en streaming (cursor del servidor)."""
    from amauta_cli.models import Asistencia, Grupo, Usuario
    from sqlalchemy import select

    consulta = (
        select(
            Grupo.nombre.label("grupo"),
            Usuario.email,
            Asistencia.fecha,
            Asistencia.estado,
            Asistencia.observaciones,
        )
        .join(Grupo, Grupo.id == Asistencia.grupoId)
        .join(Usuario, Usuario.id == Asistencia.estudianteId)
        .order_by(Asistencia.grupoId, Asistencia.fecha, *orden_es(s, Usuario.apellido, Usuario.nombre), Usuario.email)
    )
    if grupo:
        consulta = consulta.where(Asistencia.grupoId == buscar_grupo(s, grupo, institucion).id)
    elif institucion:
        consulta = consulta.where(Grupo.institucionId == buscar_institucion(s, institucion).id)
    if desde:
        consulta = consulta.where(Asistencia.fecha >= medianoche(desde))
    if hasta:
        consulta = consulta.where(Asistencia.fecha < medianoche(hasta + timedelta(days=1)))
    resultado = s.execute(consulta.execution_options(yield_per=lote))
    for f in resultado:
        yield {
            "grupo": f.grupo,
            "email": f.email,
            "fecha": f.fecha.date(),
            "estado": str(f.estado),
            "observaciones": f.observaciones,
        }


# --- importar --------------------------------------------------------------------------------------
#: Cuántos problemas se detallan como máximo (el total se informa siempre): un archivo con
#: una columna entera mal no debe producir un millón de líneas de error ni de memoria.
LIMITE_PROBLEMAS = 1000
#: ``work_mem`` de PostgreSQL durante importar (ordenación y joins de las tablas temporales).
MEMORIA_IMPORTAR = "256MB"
#: ``work_mem`` de PostgreSQL para los reportes del distrito (alertas).
MEMORIA_REPORTES = "64MB"
ALIAS_IMPORTAR = {"correo": "email", "observacion": "observaciones", "obs": "observaciones"}
_ALFABETO = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass
class ResultadoImportacion:
    lineas: int
    creados: int
    actualizados: int
    sin_cambios: int
    grupos: int
    codificacion: str
    separador: str
    columnas_ignoradas: list[str]

    def resumen(self) -> str:
        return (
            f"Importadas {plural(self.lineas, 'fila')} de {plural(self.grupos, 'grupo')}: "
            f"{plural(self.creados, 'creada')}, {plural(self.actualizados, 'actualizada')}, "
            f"{self.sin_cambios} sin cambios."
        )


def contar_lineas(ruta: Any) -> int:
    """Líneas del archivo (para la barra de progreso), sin decodificarlo."""
    n = 0
    with open(ruta, "rb") as f:
        while bloque := f.read(1 << 20):
            n += bloque.count(b"\n")
    return max(n - 1, 0)


class _Celdas:
    """Valida y convierte las celdas de una fila; los valores repetidos se convierten una vez.

    En un año de asistencia hay pocos valores distintos de fecha, estado y email: con
    las cachés el costo por fila es el de unas búsquedas en diccionarios.
    """

    def __init__(self, hoy: date, forzar: bool, fecha_a_bd: Callable[[date], Any]):
        self.hoy, self.forzar, self.fecha_a_bd = hoy, forzar, fecha_a_bd
        self.fechas: dict[str, tuple[Any, str | None]] = {}
        #: Los días válidos vistos (para leer solo los registros existentes de ese período).
        self.dias: set[date] = set()
        self.estados: dict[str, tuple[str | None, str | None]] = {}
        self.emails: dict[str, tuple[str | None, str | None]] = {}

    def fecha(self, texto: str) -> tuple[Any, str | None]:
        r = self.fechas.get(texto)
        if r is None:
            try:
                d = parsear_fecha(texto, "fecha", hoy=self.hoy) if texto else None
                if d is None:
                    r = (None, "falta la fecha")
                else:
                    motivo = problema_fecha(d, self.hoy, self.forzar)
                    # La medianoche que se escribe y el día con que se busca el registro existente.
                    r = (None, motivo) if motivo else ((self.fecha_a_bd(d), d.isoformat()), None)
                    if not motivo:
                        self.dias.add(d)
            except DatosInvalidos as e:
                r = (None, e.mensaje)
            if len(self.fechas) < 100_000:
                self.fechas[texto] = r
        return r

    def estado(self, texto: str) -> tuple[str | None, str | None]:
        r = self.estados.get(texto)
        if r is None:
            try:
                r = (parsear_estado(texto).value, None) if texto else (None, "falta el estado")
            except DatosInvalidos as e:
                r = (None, e.mensaje)
            if len(self.estados) < 1000:
                self.estados[texto] = r
        return r

    def email(self, texto: str) -> tuple[str | None, str | None]:
        r = self.emails.get(texto)
        if r is None:
            try:
                r = (validar_email(texto), None) if texto else (None, "falta el email")
            except DatosInvalidos as e:
                r = (None, e.mensaje)
            if len(self.emails) < 200_000:
                self.emails[texto] = r
        return r


def _prefijo_ids() -> str:
    """19 caracteres de un cuid (``c`` + tiempo + azar + huella + azar); el id de cada fila
    importada es este prefijo más su número de línea en base 36 (6 caracteres)."""
    import secrets

    return (
        "c"
        + _b36(int(time.time() * 1000), 8)
        + _b36(secrets.randbits(20), 4)
        + _HUELLA
        + _b36(secrets.randbits(10), 2)
    )


def _sql_id(columna: str = "linea") -> str:
    digitos = [
        f"substr('{_ALFABETO}', CAST((({columna} / {36**k}) % 36) + 1 AS INTEGER), 1)"
        for k in range(5, -1, -1)
    ]
    return ":prefijo || " + " || ".join(digitos)


def _linea_de(problema: str) -> int:
    try:
        return int(problema.split(":", 1)[0].rsplit(" ", 1)[-1])
    except ValueError:
        return 0


def importar(
    s: Session,
    ruta: Any,
    institucion: str | None = None,
    forzar: bool = False,
    hoy: date | None = None,
    avanzar: Callable[[int], Any] | None = None,
    limite_problemas: int = LIMITE_PROBLEMAS,
) -> ResultadoImportacion:
    """Carga un CSV ``grupo, email, fecha, estado, observaciones`` en una transacción.

    1. Se lee el archivo en streaming y se valida cada celda (fecha, estado, email); las
       filas buenas van a una tabla temporal (``COPY`` en PostgreSQL, ``executemany`` por
       lotes en SQLite).
    2. Grupos y emails se resuelven a ids con joins en SQL; se detectan estudiantes que no
       son del grupo, filas repetidas y cambios de estado sin observación.
    3. Si hubo cualquier problema, se informan todos (por número de línea) y no se escribe
       nada. Si no, un único ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``.

    ``avanzar(n)`` recibe media unidad por línea al leer y la otra media al cargar: la
    barra de progreso de quien llama tiene como total las líneas del archivo.
    """
    from amauta_cli.models import Asistencia
    from sqlalchemy import text

    from amauta_cli.csvio import iterar_csv, problema_linea

    hoy = hoy or date.today()
    avanzar = avanzar or (lambda _n: None)
    d = dialecto(s)
    con = s.connection()
    fecha_a_bd = d.fecha_para_carga(con, Asistencia.__table__.c.fecha.type)
    # Para ordenar y cruzar en memoria las tablas temporales (solo en esta transacción).
    d.memoria_de_trabajo(con, MEMORIA_IMPORTAR)

    problemas_forma: list[str] = []
    lector = iterar_csv(
        ruta, ["grupo", "email", "fecha", "estado"], ["observaciones"], problemas=problemas_forma
    )
    problemas: list[tuple[int, str]] = []
    malas = 0
    buenas = 0
    celdas = _Celdas(hoy, forzar, fecha_a_bd)

    carga = d.crear_temporal(
        con,
        "amauta_asis_carga",
        f"linea integer, grupo text, email text, fecha {d.tipo_fecha_hora}, dia {d.tipo_fecha}, "
        f"estado {d.tipo_enum('EstadoAsistencia')}, obs text",
    )

    def filas_validas() -> Iterator[tuple]:
        nonlocal malas, buenas
        pendiente = 0
        f_fecha, f_estado, f_email = celdas.fecha, celdas.estado, celdas.email
        for linea, v in lector:
            pendiente += 1
            if pendiente >= 10_000:
                avanzar(pendiente / 2)
                pendiente = 0
            fecha, e1 = f_fecha(v["fecha"])
            estado, e2 = f_estado(v["estado"])
            email, e3 = f_email(v["email"])
            grupo = v["grupo"]
            if e1 or e2 or e3 or not grupo:
                malas += 1
                if len(problemas) < limite_problemas:
                    detalle = "; ".join(
                        x for x in (e1, e2, e3, None if grupo else "falta el grupo") if x
                    )
                    problemas.append((linea, problema_linea(linea, detalle)))
                continue
            buenas += 1
            obs = v["observaciones"]
            if len(obs) > _LIMITE_OBS:
                malas += 1
                buenas -= 1
                if len(problemas) < limite_problemas:
                    mensaje = f"observaciones: tiene {len(obs)} caracteres y el máximo es {_LIMITE_OBS}"
                    problemas.append((linea, problema_linea(linea, mensaje)))
                continue
            yield (linea, grupo, email, fecha[0], fecha[1], estado, obs or None)
        avanzar(pendiente / 2)

    d.cargar_temporal(
        con, "amauta_asis_carga", ("linea", "grupo", "email", "fecha", "dia", "estado", "obs"), filas_validas()
    )

    if buenas == 0 and malas == 0 and not problemas_forma:
        raise DatosInvalidos("El archivo no tiene filas de datos: solo el encabezado. No se importó nada.")

    # La barra de progreso: media por leer el archivo, media por cargarlo.
    leidas = buenas + malas
    grupos = _resolver_grupos(s, con, institucion)
    n_grupos = len(grupos)
    from amauta_cli.db import cruda

    _bloquear_grupos(cruda(con), grupos)
    usuarios = d.crear_temporal(con, "amauta_asis_usuarios", "email text PRIMARY KEY, uid text NOT NULL")
    con.exec_driver_sql(
        f'INSERT INTO {usuarios} SELECT lower(u.email), min(u.id) FROM "Usuario" u '
        f"WHERE lower(u.email) IN (SELECT DISTINCT email FROM {carga}) GROUP BY lower(u.email)"
    )
    # Los registros existentes de esos grupos y días con su día (``date()``, en ambos motores):
    # la aplicación web escribe las 03:00 UTC, amauta la medianoche. Se cruzan por igualdad de
    # columnas (grupo, estudiante, día), que el planificador resuelve bien; una condición de
    # rango o una expresión sobre "Asistencia" en el cruce lo lleva a recorrer todo el año de
    # cada estudiante por cada línea (re-importar 200.000 filas: de 2,8 a 14 s).
    desde = min(celdas.dias) if celdas.dias else hoy
    hasta = max(celdas.dias) + timedelta(days=1) if celdas.dias else hoy  # sin días: vacía
    literal = lambda x: "'" + str(d.fecha_hora_a_bd(medianoche(x))) + "'"  # noqa: E731 - fechas, no texto del usuario
    prev = d.crear_temporal(
        con,
        "amauta_asis_prev",
        como='SELECT a."grupoId" AS gid, a."estudianteId" AS uid, date(a.fecha) AS dia, a.fecha, '
        'a.estado, a.observaciones FROM "Asistencia" a '
        f"WHERE a.\"grupoId\" IN (SELECT gid FROM {d.temporal('amauta_asis_grupos')} WHERE gid IS NOT NULL) "
        f"AND a.fecha >= {literal(desde)} AND a.fecha < {literal(hasta)}",
    )
    d.preparar_para_cruzar(con, "amauta_asis_prev", ["gid", "uid", "dia"])
    # La tabla resuelta queda ordenada por la clave única (una sola ordenación, que
    # también marca las filas repetidas): el INSERT final recorre las cuatro claves e
    # índices de "Asistencia" casi en orden, y los ids se numeran en ese mismo orden.
    res = d.crear_temporal(
        con,
        "amauta_asis_res",
        como="SELECT c.linea, c.fecha, c.estado, c.obs, g.gid, g.problema, u.uid, "
        'CASE WHEN ge."estudianteId" IS NULL THEN 0 ELSE 1 END AS miembro, '
        "a.estado AS estado_prev, a.observaciones AS obs_prev, a.fecha AS fecha_prev, "
        "row_number() OVER (ORDER BY g.gid, u.uid, c.fecha, c.linea) AS orden, "
        "min(c.linea) OVER (PARTITION BY g.gid, u.uid, c.fecha) AS primera "
        f"FROM {carga} c "
        f"LEFT JOIN {d.temporal('amauta_asis_grupos')} g ON g.clave = c.grupo "
        f"LEFT JOIN {usuarios} u ON u.email = c.email "
        'LEFT JOIN "GrupoEstudiante" ge ON ge."grupoId" = g.gid AND ge."estudianteId" = u.uid '
        f"LEFT JOIN {prev} a ON a.gid = g.gid AND a.uid = u.uid AND a.dia = c.dia"
    )
    repetida = "(gid IS NOT NULL AND uid IS NOT NULL AND linea <> primera)"
    mala = (
        "(gid IS NULL OR uid IS NULL OR miembro = 0 OR "
        f"(estado_prev IS NOT NULL AND estado_prev <> estado AND obs IS NULL) OR {repetida})"
    )
    igual = "(estado_prev = estado AND (obs IS NULL OR obs = obs_prev))"
    avanzar(leidas / 6)
    if con.exec_driver_sql(f"SELECT count(*) FROM {res}").scalar() > buenas:
        # Una línea encontró dos registros de su día (uno de la aplicación web y otro de amauta).
        _rechazar_repetidos_del_dia(con, res, carga, limite_problemas)
    total, malas_sql, creados, sin_cambios = con.exec_driver_sql(
        "SELECT count(*), "
        f"coalesce(sum(CASE WHEN {mala} THEN 1 ELSE 0 END), 0), "
        f"coalesce(sum(CASE WHEN NOT {mala} AND estado_prev IS NULL THEN 1 ELSE 0 END), 0), "
        f"coalesce(sum(CASE WHEN NOT {mala} AND {igual} THEN 1 ELSE 0 END), 0) "
        f"FROM {res}"
    ).one()
    if malas_sql:
        malas += int(malas_sql)
        for r in con.exec_driver_sql(
            "SELECT r.linea, c.grupo, c.email, r.fecha, r.problema, r.uid IS NULL, r.miembro, "
            f"r.estado_prev, r.estado, r.primera FROM (SELECT * FROM {res} WHERE {mala} "
            f"ORDER BY linea LIMIT {int(limite_problemas)}) r JOIN {carga} c ON c.linea = r.linea "
            "ORDER BY r.linea"
        ):
            linea, grupo, email, fecha, prob, sin_usuario, miembro, previo, estado, primera = r
            if prob:
                detalle = prob
            elif sin_usuario:
                detalle = f"no existe un usuario con el email '{email}'"
            elif not miembro:
                detalle = f"{email} no es estudiante del grupo '{grupo}'"
            elif linea != primera:
                detalle = f"repite grupo, email y fecha de la línea {primera} ({email})"
            else:
                dia = _a_fecha(fecha)
                detalle = (
                    f"{email} ya figura {previo} el {textos.fecha(dia)} en '{grupo}'; para cambiarlo a "
                    f"{estado} hace falta una observación que diga por qué"
                )
            problemas.append((linea, problema_linea(linea, detalle)))
    if not forzar:
        n_sin_clase, sin_clase = _lineas_sin_clase(s, con, res, mala, limite_problemas)
        malas += n_sin_clase
        problemas.extend(sin_clase)
    for p in problemas_forma:
        problemas.append((_linea_de(p), p))
    malas += len(problemas_forma)
    if problemas or malas:
        problemas.sort(key=lambda p: p[0])
        lista = [p for _, p in problemas[:limite_problemas]]
        if malas > len(lista):
            lista.append(f"... y {plural(malas - len(lista), 'problema')} más (se muestran los primeros {len(lista)})")
        raise DatosInvalidos(
            f"El archivo tiene {plural(malas, 'línea')} con problemas: no se importó nada. "
            "Corríjalas y vuelva a importar el archivo completo.",
            lista,
        )

    # Dos sentencias: las filas nuevas (sin registro previo) con un INSERT a secas, y solo las
    # que cambian un registro existente por el camino de ON CONFLICT. El INSERT a secas se
    # ahorra la búsqueda previa en la clave única y la inserción especulativa de cada fila:
    # medido con 500.000 filas, ~25 % menos que todo por ON CONFLICT (y es casi todo el
    # tiempo de una importación histórica). Los ``registrar`` de estos grupos esperan el
    # bloqueo que tomó ``_bloquear_grupos``; si aun así otro proceso escribió una de esas
    # filas (p. ej. sin pasar por amauta), la clave única lo rechaza y no se escribe nada.
    from sqlalchemy import bindparam

    columnas = (
        'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
        '"createdAt", "updatedAt") '
        # Un registro existente conserva su fila y su hora: el upsert choca con él.
        f"SELECT {_sql_id('orden')}, gid, uid, coalesce(fecha_prev, fecha), estado, obs, :ahora, :ahora "
        f"FROM {res} "
    )
    parametros = (
        bindparam("prefijo", _prefijo_ids()),
        bindparam("ahora", ahora(), type_=Asistencia.__table__.c.createdAt.type),
    )
    cambian = "(estado_prev IS NOT NULL AND (estado_prev <> estado OR (obs IS NOT NULL AND (obs_prev IS NULL OR obs <> obs_prev))))"
    try:
        if int(creados):
            con.execute(text(columnas + "WHERE estado_prev IS NULL").bindparams(*parametros))
        if total - int(creados) - int(sin_cambios):
            con.execute(
                text(
                    columnas + f"WHERE {cambian} "
                    'ON CONFLICT ("grupoId", "estudianteId", fecha) DO UPDATE SET estado = excluded.estado, '
                    'observaciones = coalesce(excluded.observaciones, "Asistencia".observaciones), '
                    '"updatedAt" = excluded."updatedAt"'
                ).bindparams(*parametros)
            )
    except Exception as e:  # noqa: BLE001 - solo se traduce la violación de la clave única
        if "unique" in str(e).lower() or "duplicate key" in str(e).lower():
            raise OperacionRechazada(
                "Otro proceso registró asistencia de estas mismas filas mientras se importaba; "
                "no se importó nada. Vuelva a importar el archivo."
            ) from None
        raise
    avanzar(leidas / 3)
    d.soltar_temporales(
        con, "amauta_asis_res", "amauta_asis_prev", "amauta_asis_usuarios", "amauta_asis_grupos",
        "amauta_asis_carga", "amauta_asis_sin_clase",
    )
    total = int(total)
    return ResultadoImportacion(
        lineas=total,
        creados=int(creados),
        actualizados=total - int(creados) - int(sin_cambios),
        sin_cambios=int(sin_cambios),
        grupos=n_grupos,
        codificacion=lector.codificacion,
        separador=lector.separador,
        columnas_ignoradas=lector.columnas_ignoradas,
    )


def _lineas_sin_clase(s: Session, con: Any, res: str, mala: str, limite: int) -> tuple[int, list[tuple[int, str]]]:
    """Las líneas (sin otros problemas) de días sin clase en la institución de su grupo.

    Los pares (institución, fecha) distintos son pocos (escuelas × días del archivo): se
    juzgan en Python con el calendario de cada una, y las líneas se buscan con un join.
    """
    from sqlalchemy import text

    from amauta_cli.csvio import problema_linea
    from amauta_cli.services.calendario import Calendarios

    d = dialecto(s)
    buenas = f"(SELECT linea, gid, fecha FROM {res} WHERE NOT {mala})"
    pares = con.exec_driver_sql(
        f'SELECT DISTINCT g."institucionId", r.fecha FROM {buenas} r JOIN "Grupo" g ON g.id = r.gid'
    ).all()
    calendarios = Calendarios(s)
    sin_clase = []
    for inst, fecha in pares:
        dia = calendarios.de(inst).dia(_a_fecha(fecha))
        if not dia.de_clase:
            sin_clase.append({"inst": inst, "fecha": fecha, "motivo": dia.explicacion})
    if not sin_clase:
        return 0, []
    tabla = d.crear_temporal(
        con, "amauta_asis_sin_clase", f"inst text, fecha {d.tipo_fecha_hora}, motivo text"
    )
    con.execute(text(f"INSERT INTO {tabla} (inst, fecha, motivo) VALUES (:inst, :fecha, :motivo)"), sin_clase)
    cruce = (
        f'FROM {buenas} r JOIN "Grupo" g ON g.id = r.gid '
        f'JOIN {tabla} m ON m.inst = g."institucionId" AND m.fecha = r.fecha'
    )
    total = int(con.exec_driver_sql(f"SELECT count(*) {cruce}").scalar_one())
    lineas = con.exec_driver_sql(f"SELECT r.linea, m.motivo {cruce} ORDER BY r.linea LIMIT {int(limite)}").all()
    return total, [
        (linea, problema_linea(linea, f"{motivo} (si ese día hubo clase, importe con --forzar)"))
        for linea, motivo in lineas
    ]


def _rechazar_repetidos_del_dia(con: Any, res: str, carga: str, limite: int) -> None:
    """Las líneas del archivo cuyo estudiante ya tiene más de un registro ese día: no se importa."""
    filas = con.exec_driver_sql(
        f"SELECT r.linea, c.grupo, c.email, c.fecha, count(*) FROM {res} r "
        f"JOIN {carga} c ON c.linea = r.linea "
        "GROUP BY r.linea, c.grupo, c.email, c.fecha HAVING count(*) > 1 ORDER BY r.linea "
        f"LIMIT {int(limite)}"
    ).all()
    from amauta_cli.csvio import problema_linea

    raise OperacionRechazada(
        "No se importó nada: hay estudiantes con más de un registro de asistencia en un mismo día "
        "(uno de la aplicación web y otro de amauta). Unifíquelos primero (se conserva el más "
        "reciente) con `amauta asistencia unificar` y vuelva a importar el archivo.",
        [
            problema_linea(
                linea, f"{email} ya tiene {n} registros el {textos.fecha(_a_fecha(fecha))} en '{grupo}'"
            )
            for linea, grupo, email, fecha, n in filas
        ],
    )


def _a_fecha(valor: Any) -> date:
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    return date.fromisoformat(str(valor)[:10])


def _resolver_grupos(s: Session, con: Any, institucion: str | None) -> set[str]:
    """Crea la tabla temporal ``clave → gid`` (o el problema) para los grupos del archivo.

    Los valores distintos de la columna grupo son pocos: se resuelven en memoria contra
    todos los grupos (una consulta), por id o por nombre sin acentos ni mayúsculas.
    Devuelve los ids de los grupos resueltos.
    """
    from amauta_cli.models import Grupo, Institucion
    from sqlalchemy import select, text

    d = dialecto(s)
    claves = [r[0] for r in con.exec_driver_sql(f"SELECT DISTINCT grupo FROM {d.temporal('amauta_asis_carga')}")]
    inst = buscar_institucion(s, institucion) if institucion else None
    filas = s.execute(
        select(Grupo.id, Grupo.nombre, Grupo.activo, Grupo.institucionId, Institucion.nombre.label("inst"))
        .join(Institucion, Institucion.id == Grupo.institucionId)
    ).all()
    por_id = {f.id: f for f in filas}
    por_nombre: dict[str, list] = {}
    for f in filas:
        if inst is None or f.institucionId == inst.id:
            por_nombre.setdefault(sin_acentos(f.nombre.strip()), []).append(f)
    mapa: list[dict[str, Any]] = []
    resueltos: set[str] = set()
    for clave in claves:
        g = por_id.get(clave)
        problema = None
        if g is not None and inst is not None and g.institucionId != inst.id:
            problema = f"el grupo '{clave}' es de la institución '{g.inst}', no de '{inst.nombre}'"
            g = None
        elif g is None:
            candidatos = por_nombre.get(sin_acentos(clave.strip()), [])
            if not candidatos:
                donde = f" en la institución '{inst.nombre}'" if inst else ""
                problema = f"no existe el grupo '{clave}'{donde}"
            elif len(candidatos) > 1 and len({c.institucionId for c in candidatos}) == 1:
                ids = ", ".join(sorted(c.id for c in candidatos))
                problema = (
                    f"hay {len(candidatos)} grupos llamados '{clave}' en la institución "
                    f"'{candidatos[0].inst}'; use el id del grupo ({ids})"
                )
            elif len(candidatos) > 1:
                nombres = ", ".join(sorted(f"'{c.inst}'" for c in candidatos))
                problema = (
                    f"el grupo '{clave}' existe en varias instituciones ({nombres}); "
                    "indique cuál con --institucion o use el id del grupo"
                )
            else:
                g = candidatos[0]
        if g is not None and not g.activo:
            problema = f"el grupo '{g.nombre}' está inactivo: no admite cambios"
            g = None
        if g is not None:
            resueltos.add(g.id)
        mapa.append({"clave": clave, "gid": g.id if g else None, "problema": problema})
    tabla = d.crear_temporal(con, "amauta_asis_grupos", "clave text PRIMARY KEY, gid text, problema text")
    if mapa:
        con.execute(
            text(f"INSERT INTO {tabla} (clave, gid, problema) VALUES (:clave, :gid, :problema)"),
            mapa,
        )
    return resueltos
