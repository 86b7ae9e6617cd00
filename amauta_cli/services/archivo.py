"""Archivo de años pasados: ``amauta db archivar`` / ``db desarchivar``.

Mueve asistencia, calificaciones y el progreso de inscripciones cerradas anteriores a una
fecha a tablas de archivo con las mismas columnas (``dialecto.tabla_archivo``: el esquema
``archivo`` en PostgreSQL, invisible para Prisma; el prefijo ``_amauta_archivo_`` en SQLite), y los
trae de vuelta. Una transacción por tabla, con las filas contadas antes y después: si las
cuentas no cierran, esa tabla se deshace y nada de ella cambia.

Qué se archiva con ``--hasta F`` (todo lo anterior a F, a las 00:00):
- ``Asistencia``: ``fecha`` anterior a F;
- ``Calificacion``: ``createdAt`` anterior a F (la nota se cargó antes de F);
- ``Progreso``: ``ultimoAcceso`` anterior a F, de una lección de un curso cuya inscripción
  está cerrada (``COMPLETADO`` o ``ABANDONADO``).

Los reportes leen el archivo con ``fuente(..., incluir_archivo=True)`` (la tabla viva y la de
archivo unidas con ``UNION ALL``) y, sin él, ``archivadas_*`` les dice si el período pedido
tiene filas archivadas.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Sequence

from amauta_cli.errores import AmautaError, DatosInvalidos

TABLAS = ("Asistencia", "Calificacion", "Progreso")
#: Las que tienen auditoría (migración 0005): cada movimiento deja una fila de resumen.
AUDITADAS = ("Asistencia", "Calificacion")
#: Columna de fecha que decide qué es "anterior a" en cada tabla.
COLUMNA_FECHA = {"Asistencia": "fecha", "Calificacion": "createdAt", "Progreso": "ultimoAcceso"}
#: Clave única (además del id) que no puede repetirse al desarchivar.
CLAVE_UNICA = {
    "Asistencia": ("grupoId", "estudianteId", "fecha"),
    "Calificacion": ("grupoId", "estudianteId", "materia", "periodo"),
    "Progreso": ("usuarioId", "leccionId"),
}


def _modelo(tabla: str) -> Any:
    from amauta_cli import models

    return getattr(models, tabla).__table__


def tabla_archivo(bind: Any, tabla: str) -> Any:
    from amauta_cli.dialecto import dialecto

    return dialecto(bind).tabla_archivo(_modelo(tabla))


def fuente(s: Any, modelo: Any, incluir_archivo: bool) -> Any:
    """``modelo`` (la clase ORM) o, con ``incluir_archivo``, un alias de ``modelo`` sobre
    ``SELECT ... FROM viva UNION ALL SELECT ... FROM archivo``: las consultas de los reportes
    no cambian, solo su origen."""
    if not incluir_archivo:
        return modelo
    from sqlalchemy import select, union_all
    from sqlalchemy.orm import aliased

    viva = modelo.__table__
    arch = tabla_archivo(s, viva.name)
    cols = [c.name for c in viva.columns]
    union = union_all(
        select(*[viva.c[c] for c in cols]), select(*[arch.c[c] for c in cols])
    ).subquery(f"{viva.name.lower()}_con_archivo")
    return aliased(modelo, union)


def _medianoche(d: date) -> datetime:
    from amauta_cli.ids import medianoche

    return medianoche(d)


def _condicion(tabla: str, t: Any, desde: date | None, hasta: date | None, cerradas: bool) -> Any:
    """Las filas de ``t`` (viva o de archivo) con la fecha en [desde, hasta)."""
    from sqlalchemy import and_, exists, select, true

    col = t.c[COLUMNA_FECHA[tabla]]
    partes = []
    if hasta is not None:
        partes.append(col < _medianoche(hasta))
    if desde is not None:
        partes.append(col >= _medianoche(desde))
    if tabla == "Progreso" and cerradas:
        from amauta_cli.models import EstadoInscripcion, Inscripcion, Leccion

        partes.append(
            exists(
                select(Inscripcion.id)
                .join(Leccion, Leccion.cursoId == Inscripcion.cursoId)
                .where(
                    Inscripcion.usuarioId == t.c.usuarioId,
                    Leccion.id == t.c.leccionId,
                    Inscripcion.estado != EstadoInscripcion.ACTIVO,
                )
            )
        )
    return and_(*partes) if partes else true()


# --- Resultados ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Movimiento:
    """Una tabla: filas movidas y las cuentas de antes y después (vivas y de archivo)."""

    tabla: str
    filas: int
    vivas_antes: int
    archivo_antes: int
    vivas_despues: int
    archivo_despues: int
    segundos: float

    @property
    def cuentas_cierran(self) -> bool:
        return self.vivas_antes + self.archivo_antes == self.vivas_despues + self.archivo_despues


@dataclass(frozen=True)
class ResultadoArchivo:
    sentido: str  # "archivar" | "desarchivar"
    desde: date | None
    hasta: date | None
    simulado: bool
    movimientos: tuple[Movimiento, ...]
    #: La tabla que falló (las anteriores ya quedaron movidas), con su mensaje.
    fallo: tuple[str, str] | None = None

    @property
    def filas(self) -> int:
        return sum(m.filas for m in self.movimientos)


Avance = Callable[[str], None]


def _contar(con: Any, t: Any, condicion: Any) -> tuple[int, int]:
    """(todas, las que cumplen la condición) en un solo recorrido."""
    from sqlalchemy import case, func, select

    fila = con.execute(
        select(func.count(), func.coalesce(func.sum(case((condicion, 1), else_=0)), 0)).select_from(t)
    ).one()
    return int(fila[0]), int(fila[1])


def _contar_todas(con: Any, t: Any) -> int:
    from sqlalchemy import func, select

    return int(con.execute(select(func.count()).select_from(t)).scalar_one())


def _validar_fechas(desde: date | None, hasta: date | None, hoy: date) -> None:
    if hasta is not None and hasta > hoy:
        raise DatosInvalidos(
            f"--hasta {hasta:%d/%m/%Y} es posterior a hoy: solo se archiva lo que ya pasó."
        )
    if desde is not None and hasta is not None and hasta <= desde:
        raise DatosInvalidos(
            f"--hasta ({hasta:%d/%m/%Y}) debe ser posterior a --desde ({desde:%d/%m/%Y})."
        )


def _conflictos(con: Any, tabla: str, viva: Any, arch: Any, condicion: Any) -> int:
    """Filas del archivo (que se traerían) cuyo id o clave única ya existe entre las vivas."""
    from sqlalchemy import and_, exists, func, or_, select

    clave = CLAVE_UNICA[tabla]
    choca = exists(select(viva.c.id).where(or_(viva.c.id == arch.c.id, and_(*[viva.c[c] == arch.c[c] for c in clave]))))
    return int(con.execute(select(func.count()).select_from(arch).where(condicion, choca)).scalar_one())


def _mover(
    url: str,
    sentido: str,
    desde: date | None,
    hasta: date | None,
    simular: bool,
    tablas: Sequence[str],
    avisar: Avance,
) -> ResultadoArchivo:
    from amauta_cli.db import conexion
    from amauta_cli.dialecto import dialecto

    movimientos: list[Movimiento] = []
    for tabla in tablas:
        t0 = time.perf_counter()
        try:
            with conexion(url, solo_lectura=simular, estable=True) as con:
                d = dialecto(con)
                viva = _modelo(tabla)
                arch = d.tabla_archivo(viva)
                origen, destino = (viva, arch) if sentido == "archivar" else (arch, viva)
                cond = _condicion(tabla, origen, desde, hasta, cerradas=sentido == "archivar")
                todas_origen, a_mover = _contar(con, origen, cond)
                todas_destino = _contar_todas(con, destino)
                vivas_antes, archivo_antes = (
                    (todas_origen, todas_destino) if sentido == "archivar" else (todas_destino, todas_origen)
                )
                if simular or a_mover == 0:
                    movimientos.append(
                        Movimiento(tabla, a_mover, vivas_antes, archivo_antes, vivas_antes, archivo_antes,
                                   time.perf_counter() - t0)
                    )
                    continue
                if sentido == "desarchivar":
                    choques = _conflictos(con, tabla, viva, arch, cond)
                    if choques:
                        raise DatosInvalidos(
                            f"{choques} filas archivadas de '{tabla}' tienen el mismo id o la misma "
                            f"clave ({', '.join(CLAVE_UNICA[tabla])}) que filas vivas cargadas "
                            "después de archivar: no se desarchivó nada de esa tabla. Revise esas "
                            f"filas en {d.nombre_archivo(tabla)} y en \"{tabla}\", o desarchive otro rango."
                        )
                avisar(f"Moviendo {a_mover} filas de '{tabla}'...")
                # Las filas movidas ya están auditadas (su alta y sus cambios): en lugar de una
                # baja (o un alta) de auditoría por fila, una sola fila que resume el movimiento.
                with d.sin_auditoria_por_fila(con, (tabla,)):
                    movidas = d.mover(con, origen, destino, cond)
                if tabla in AUDITADAS:
                    d.auditar_resumen(
                        con, tabla, sentido.upper(),
                        {
                            "filas": movidas,
                            "desde": desde.isoformat() if desde else None,
                            "hasta": hasta.isoformat() if hasta else None,
                            "archivo": d.nombre_archivo(tabla),
                        },
                    )
                d.analizar(con, origen, destino)
                despues_origen = _contar_todas(con, origen)
                despues_destino = _contar_todas(con, destino)
                vivas_despues, archivo_despues = (
                    (despues_origen, despues_destino)
                    if sentido == "archivar"
                    else (despues_destino, despues_origen)
                )
                m = Movimiento(tabla, movidas, vivas_antes, archivo_antes, vivas_despues, archivo_despues,
                               time.perf_counter() - t0)
                if (
                    movidas != a_mover
                    or despues_origen != todas_origen - movidas
                    or despues_destino != todas_destino + movidas
                ):
                    raise AmautaError(
                        f"Las cuentas de '{tabla}' no cierran (a mover {a_mover}, movidas {movidas}; "
                        f"origen {todas_origen} → {despues_origen}, destino {todas_destino} → "
                        f"{despues_destino}): se deshizo el movimiento de esa tabla."
                    )
                movimientos.append(m)
        except AmautaError as e:
            if not movimientos or all(m.filas == 0 for m in movimientos):
                raise
            return ResultadoArchivo(sentido, desde, hasta, simular, tuple(movimientos), (tabla, e.mensaje))
        except Exception as e:  # noqa: BLE001 - p. ej. una clave foránea rota al desarchivar
            from sqlalchemy.exc import IntegrityError

            if not isinstance(e, IntegrityError):
                raise
            mensaje = (
                f"No se pudo mover '{tabla}': {str(e.orig).splitlines()[0]}. "
                "Nada de esa tabla cambió."
            )
            if not movimientos or all(m.filas == 0 for m in movimientos):
                raise DatosInvalidos(mensaje) from None
            return ResultadoArchivo(sentido, desde, hasta, simular, tuple(movimientos), (tabla, mensaje))
    _recuperar_espacio(url, sentido, movimientos, avisar)
    return ResultadoArchivo(sentido, desde, hasta, simular, tuple(movimientos))


def _recuperar_espacio(url: str, sentido: str, movimientos: Sequence[Movimiento], avisar: Avance) -> None:
    """VACUUM de las tablas de las que salieron filas (ya confirmado): los reportes del año en
    curso no vuelven a recorrer las filas archivadas. Si falla, los datos ya están movidos:
    solo se avisa."""
    from amauta_cli.dialecto import dialecto
    from amauta_cli.db import crear_motor

    d = dialecto(crear_motor(url))
    for m in movimientos:
        if m.filas == 0:
            continue
        viva = _modelo(m.tabla)
        origen = viva if sentido == "archivar" else d.tabla_archivo(viva)
        try:
            d.recuperar_espacio(url, origen)
        except Exception as e:  # noqa: BLE001
            avisar(f"Las filas ya están movidas, pero no se pudo liberar su espacio en '{m.tabla}' ({e}); "
                   "autovacuum lo hará más tarde.")


def archivar(
    url: str,
    hasta: date,
    simular: bool = False,
    tablas: Sequence[str] = TABLAS,
    avisar: Avance = lambda _m: None,
    hoy: date | None = None,
) -> ResultadoArchivo:
    """Mueve al archivo lo anterior a ``hasta`` (una transacción por tabla)."""
    _validar_fechas(None, hasta, hoy or date.today())
    return _mover(url, "archivar", None, hasta, simular, tablas, avisar)


def desarchivar(
    url: str,
    desde: date | None = None,
    hasta: date | None = None,
    simular: bool = False,
    tablas: Sequence[str] = TABLAS,
    avisar: Avance = lambda _m: None,
) -> ResultadoArchivo:
    """Trae de vuelta lo archivado con fecha en [desde, hasta) (todo, sin fechas)."""
    if desde is not None and hasta is not None and hasta <= desde:
        raise DatosInvalidos(
            f"--hasta ({hasta:%d/%m/%Y}) debe ser posterior a --desde ({desde:%d/%m/%Y})."
        )
    return _mover(url, "desarchivar", desde, hasta, simular, tablas, avisar)


# --- Para los reportes -------------------------------------------------------------------------
def asistencias_archivadas(
    s: Any, desde: date, hasta: date | None, grupo_ids: Any = None, estudiante_ids: Any = None
) -> int:
    """Cuántas filas de asistencia archivadas caen en [desde, hasta] (días completos) de
    ``grupo_ids`` (un id, una lista o una subconsulta; None: todos) y, si se dan, de
    ``estudiante_ids``."""
    from sqlalchemy import func, select

    arch = tabla_archivo(s, "Asistencia")
    consulta = select(func.count()).select_from(arch).where(arch.c.fecha >= _medianoche(desde))
    if hasta is not None:
        consulta = consulta.where(arch.c.fecha < _medianoche(hasta + timedelta(days=1)))
    if isinstance(grupo_ids, str):
        consulta = consulta.where(arch.c.grupoId == grupo_ids)
    elif grupo_ids is not None:
        consulta = consulta.where(arch.c.grupoId.in_(grupo_ids))
    if estudiante_ids is not None:
        consulta = consulta.where(arch.c.estudianteId.in_(list(estudiante_ids)))
    return int(s.execute(consulta).scalar_one())


def calificaciones_archivadas(s: Any, grupo_id: str, estudiante_id: str | None = None) -> int:
    """Cuántas notas archivadas tiene el grupo (o un estudiante en él)."""
    from sqlalchemy import func, select

    arch = tabla_archivo(s, "Calificacion")
    consulta = select(func.count()).select_from(arch).where(arch.c.grupoId == grupo_id)
    if estudiante_id is not None:
        consulta = consulta.where(arch.c.estudianteId == estudiante_id)
    return int(s.execute(consulta).scalar_one())
