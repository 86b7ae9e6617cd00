"""El flujo de los respaldos, igual para todos los motores: respaldar → verificar →
conservar; inspeccionar → planificar → confirmar → respaldo de seguridad → restaurar →
comparar; verificar un archivo; encontrar y limpiar restos.

El flujo no pregunta por el motor: busca su módulo por nombre (``motor_respaldo``) y le
pide las piezas, que ``postgresql.py`` y ``sqlite.py`` ofrecen con la misma interfaz:

- ``EXTENSIONES``: formato → extensión del archivo;
- ``elegir_formato(formato, salida)``, ``describir_destino(url)``, ``tiene_datos(url)``;
- ``preparar_respaldo(url, carpeta)`` (comprobaciones antes de crear nada) y
  ``respaldar(url, destino, formato, progreso)`` → datos del manifiesto;
- ``planificar(url, inspeccion, forzar)`` → ``PlanRestauracion`` y
  ``restaurar(plan, revisiones_conocidas, progreso)`` → (revisión, filas, camino);
- ``verificar(inspeccion, url_servidor, progreso, avisar)`` → (revisión, filas, base);
- ``carpetas_de_restos(url)``, ``restos_servidor(url)``, ``borrar_restos_servidor(url, restos)``.

Los mensajes para el usuario salen por callbacks (``informar``, ``avisar``), las
confirmaciones por ``confirmar`` (que cancela lanzando un error) y el avance por
``progreso``: nada de aquí imprime.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from amauta_cli import __version__
from amauta_cli.db import enmascarar_url, motor_de_url
from amauta_cli.errores import AmautaError, DatosInvalidos, OperacionRechazada
from amauta_cli.textos import plural, tamano

from . import archivos, manifiesto as manifiestos
from .archivos import Resto, crear_carpeta, escribir_json
from .comun import (
    TIPO_MANIFIESTO,
    VERSION_MANIFIESTO,
    Mensaje,
    Progreso,
    ahora,
    ajustes,
    callar,
    directorio_respaldos,
    motor_respaldo,
    nombre_motor,
    sin_progreso,
)
from .inspeccion import Inspeccion, inspeccionar
from .manifiesto import ruta_manifiesto
from .resultados import (
    PlanRestauracion,
    ResultadoRespaldo,
    ResultadoRestauracion,
    ResultadoVerificacion,
)
from .verificacion import cabeza, comparar, mensaje_revision_nueva, revision_conocida, revisiones_conocidas


# --- Destino ---------------------------------------------------------------------------------------
def _nuevo_nombre(carpeta: Path, extension: str, motivo: str | None) -> Path:
    base = f"amauta-{ahora():%Y%m%d-%H%M%S}" + (f"-{motivo}" if motivo else "")
    ruta, n = carpeta / f"{base}{extension}", 2
    while os.path.lexists(ruta) or os.path.lexists(ruta_manifiesto(ruta)):
        ruta, n = carpeta / f"{base}-{n}{extension}", n + 1
    return ruta


def ruta_destino(salida: str | Path | None, extension: str, motivo: str | None = None) -> Path:
    """El archivo a escribir: ``salida`` si es un archivo, o un nombre nuevo en la carpeta
    (``salida`` es una carpeta si existe como tal o termina en ``/``). Crea las carpetas
    que falten (700). Nunca sobrescribe, ni escribe a través de un enlace simbólico."""
    es_carpeta = salida is not None and str(salida).endswith(("/", os.sep))
    salida = Path(salida).expanduser() if salida is not None else None
    if salida is None:
        carpeta = directorio_respaldos()
    elif es_carpeta or salida.is_dir():
        carpeta = salida
    else:
        for ruta in (salida, ruta_manifiesto(salida)):
            if os.path.islink(ruta):
                raise DatosInvalidos(
                    f"--salida: {ruta} es un enlace simbólico; amauta no escribe respaldos a "
                    "través de enlaces. Indique la ruta real, o una carpeta."
                )
        if os.path.lexists(salida) or os.path.lexists(ruta_manifiesto(salida)):
            raise DatosInvalidos(
                f"--salida: {salida} ya existe; amauta no sobrescribe respaldos. "
                "Elija otro nombre o indique una carpeta."
            )
        crear_carpeta(salida.parent)
        return salida
    crear_carpeta(carpeta)
    return _nuevo_nombre(carpeta, extension, motivo)


# --- Respaldar → verificar → conservar ---------------------------------------------------------------
def tiene_datos(url: str) -> bool:
    """¿Alguna tabla (salvo ``alembic_version``) tiene filas? Una base SQLite inexistente, no."""
    return motor_respaldo(motor_de_url(url)).tiene_datos(url)


def respaldar(
    url: str,
    salida: str | Path | None = None,
    formato: str | None = None,
    motivo: str | None = None,
    *,
    conservar: int | None = 0,
    verificar: bool = False,
    informar: Mensaje = callar,
    avisar: Mensaje = callar,
    progreso: Progreso = sin_progreso,
) -> ResultadoRespaldo:
    """Escribe un respaldo de ``url`` y su manifiesto; con ``verificar``, lo restaura en una
    base desechable y lo compara con el manifiesto; con ``conservar`` (``None``: el de los
    ajustes), borra los más viejos de esa base en esa carpeta, solo si la verificación (de
    haberla) salió bien. Antes, borra los temporales huérfanos de la carpeta."""
    motor = motor_de_url(url)
    m = motor_respaldo(motor)
    formato = m.elegir_formato(formato, salida)
    destino = ruta_destino(salida, m.EXTENSIONES[formato], motivo)
    restos_borrados = _borrar_restos_locales([destino.parent], informar)
    m.preparar_respaldo(url, destino.parent)
    inicio = ahora()
    t0 = time.perf_counter()
    datos = m.respaldar(url, destino, formato, progreso)
    fin = ahora()
    descripcion = m.describir_destino(url)
    manifiesto = {
        "tipo": TIPO_MANIFIESTO,
        "version_manifiesto": VERSION_MANIFIESTO,
        "archivo": destino.name,
        "motor": motor,
        "formato": formato,
        "base": descripcion["base"],
        "servidor": descripcion["servidor"],
        "url": enmascarar_url(url),
        "version_servidor": datos["version_servidor"],
        "herramienta": datos.get("herramienta"),
        "revision": datos["revision"],
        "entorno": datos["entorno"],
        "tablas": datos["tablas"],
        "filas": int(sum(datos["tablas"].values())),
        "sha256": datos["sha256"],
        "tamano": datos["tamano"],
        "inicio": inicio.isoformat(timespec="milliseconds"),
        "fin": fin.isoformat(timespec="milliseconds"),
        "motivo": motivo,
        "version_amauta": __version__,
    }
    try:
        escribir_json(ruta_manifiesto(destino), manifiesto)
    except BaseException:
        destino.unlink(missing_ok=True)  # un respaldo sin manifiesto no se puede verificar
        raise
    r = ResultadoRespaldo(destino, manifiesto, time.perf_counter() - t0, restos_borrados=restos_borrados)
    if verificar:
        informar("Verificando: restauración en una base desechable...")
        r.verificacion = verificar_archivo(destino, url, informar=informar, avisar=avisar, progreso=progreso)
        if not r.verificacion.verificacion.ok:
            return r  # no se borra ningún respaldo anterior
    n = ajustes()["conservar"] if conservar is None else conservar
    if n:
        r.borrados = manifiestos.conservar(destino.parent, n, manifiesto)
    return r


def respaldo_de_seguridad(
    url: str,
    motivo: str,
    con_datos: bool | None = None,
    *,
    informar: Mensaje = callar,
    progreso: Progreso = sin_progreso,
) -> ResultadoRespaldo | None:
    """El respaldo automático antes de una operación destructiva (restore, rollback), en la
    carpeta de respaldos. Si la base no tiene datos no hace falta; si falla, lanza y la
    operación no sigue."""
    if con_datos is None:
        con_datos = tiene_datos(url)
    if not con_datos:
        informar("La base no tiene datos: no hace falta un respaldo de seguridad.")
        return None
    r = respaldar(url, motivo=f"previo-{motivo}", conservar=0, informar=informar, progreso=progreso)
    informar(
        f"Respaldo de seguridad: {r.archivo} ({tamano(r.tamano)}, "
        f"{plural(r.filas, 'fila')}). Para volver atrás: amauta db restore {r.archivo} --limpiar"
    )
    return r


# --- Verificar un archivo ----------------------------------------------------------------------------
def verificar_archivo(
    archivo: Path,
    url_servidor: str | None,
    *,
    exigir_manifiesto: bool = True,
    informar: Mensaje = callar,
    avisar: Mensaje = callar,
    progreso: Progreso = sin_progreso,
) -> ResultadoVerificacion:
    """Comprueba el SHA-256 y restaura el respaldo en una base desechable (una base
    temporal en el mismo servidor PostgreSQL, o un archivo temporal para SQLite); compara
    revisión y filas por tabla con el manifiesto y borra la base desechable."""
    t0 = time.perf_counter()
    insp = inspeccionar(archivo, exigir_manifiesto=exigir_manifiesto)
    _borrar_restos_locales([archivos.carpeta_temporal_del_sistema()], informar, viejos=False)
    revision, tablas, nombre = motor_respaldo(insp.motor).verificar(insp, url_servidor, progreso, informar)
    v = comparar(insp.archivo, insp.manifiesto, revision, tablas)
    return ResultadoVerificacion(v, time.perf_counter() - t0, nombre)


# --- Restaurar -----------------------------------------------------------------------------------
def planificar_restauracion(
    url: str, insp: Inspeccion, limpiar: bool = False, forzar: bool = False
) -> PlanRestauracion:
    """Todas las comprobaciones que no tocan la base destino; lanza si algo impide restaurar."""
    from amauta_cli.services import entorno

    motor = motor_de_url(url)
    if insp.motor != motor:
        raise DatosInvalidos(
            f"{insp.archivo.name} es un respaldo de {nombre_motor(insp.motor)} y la base "
            f"destino es {nombre_motor(motor)}: no se puede restaurar en otro motor. "
            "No se tocó la base."
        )
    rev = (insp.manifiesto or {}).get("revision")
    if insp.manifiesto is not None and not revision_conocida(rev) and not forzar:
        raise OperacionRechazada(mensaje_revision_nueva(rev))
    plan = motor_respaldo(motor).planificar(url, insp, forzar)
    plan.produccion = plan.entorno_destino == "produccion" or entorno.variable_produccion()
    from amauta_cli.services.esquema import TABLAS_DE_PRISMA  # la contabilidad de Prisma no son datos

    plan.prisma_destino = [t for t in plan.tablas_con_datos if t in TABLAS_DE_PRISMA]
    plan.tablas_con_datos = [t for t in plan.tablas_con_datos if t not in TABLAS_DE_PRISMA]
    if plan.con_datos and not limpiar:
        raise OperacionRechazada(
            f"La base destino ya tiene datos (en {plural(len(plan.tablas_con_datos), 'tabla')}: "
            f"{', '.join(plan.tablas_con_datos[:5])}{'...' if len(plan.tablas_con_datos) > 5 else ''}): "
            "restaurar reemplazaría su contenido. Agregue --limpiar para reemplazarlo (antes se "
            "hace un respaldo de seguridad automático) o elija una base vacía. No se tocó la base."
        )
    return plan


def restaurar(
    plan: PlanRestauracion,
    *,
    respaldo_previo: bool = False,
    informar: Mensaje = callar,
    avisar: Mensaje = callar,
    progreso: Progreso = sin_progreso,
) -> ResultadoRestauracion:
    """Reemplaza el contenido de la base por el respaldo, atómicamente (todo o nada), y lo
    compara con el manifiesto. Con ``respaldo_previo``, si la base tiene datos, antes hace
    el respaldo de seguridad de su contenido (si falla, no se restaura)."""
    t0 = time.perf_counter()
    seguridad = None
    if plan.con_datos and respaldo_previo:
        seguridad = respaldo_de_seguridad(plan.url, "restore", con_datos=True, informar=informar, progreso=progreso)
    elif plan.con_datos:
        avisar("--sin-respaldo: no se hace respaldo de seguridad del contenido actual.")
    conocidas = None if plan.forzar else list(revisiones_conocidas())
    motor = motor_respaldo(motor_de_url(plan.url))
    revision, tablas, via = motor.restaurar(plan, conocidas, progreso)
    for aviso in motor.tras_restaurar(plan):  # p. ej. roles de escuela que faltan (0005)
        avisar(aviso)
    verificacion = comparar(
        plan.inspeccion.archivo,
        plan.inspeccion.manifiesto,
        revision,
        tablas,
        entorno_conservado=plan.entorno_destino,
    )
    return ResultadoRestauracion(
        verificacion, time.perf_counter() - t0, cabeza(), via, plan=plan, seguridad=seguridad
    )


def restaurar_archivo(
    url: str,
    archivo: Path,
    *,
    limpiar: bool = False,
    forzar: bool = False,
    sin_respaldo: bool = False,
    exigir_manifiesto: bool = True,
    confirmar: Callable[[PlanRestauracion], None] = lambda _plan: None,
    informar: Mensaje = callar,
    avisar: Mensaje = callar,
    progreso: Progreso = sin_progreso,
) -> ResultadoRestauracion:
    """``amauta db restore`` entero: inspeccionar el archivo, planificar (sin tocar nada),
    ``confirmar(plan)`` (que cancela lanzando un error), el respaldo de seguridad y la
    restauración comparada con el manifiesto."""
    # El SHA-256 de un volcado custom se comprueba mientras se restaura (una sola lectura del
    # archivo): si no coincide, la transacción se deshace y la base queda como estaba.
    insp = inspeccionar(archivo, exigir_manifiesto=exigir_manifiesto, diferir_sha=True)
    plan = planificar_restauracion(url, insp, limpiar=limpiar, forzar=forzar)
    confirmar(plan)
    return restaurar(
        plan, respaldo_previo=not sin_respaldo, informar=informar, avisar=avisar, progreso=progreso
    )


# --- Restos de procesos interrumpidos --------------------------------------------------------------
def _carpetas_locales(url: str | None, carpeta: Path | None) -> list[tuple[Path, bool]]:
    """(carpeta, ¿buscar también nombres de versiones anteriores?)"""
    carpetas = [(carpeta or directorio_respaldos(), True)]
    if url is not None:
        carpetas += [(c, True) for c in motor_respaldo(motor_de_url(url)).carpetas_de_restos(url)]
    carpetas.append((archivos.carpeta_temporal_del_sistema(), False))
    return carpetas


def _restos_locales(carpetas: list[tuple[Path, bool]]) -> list[Resto]:
    vistos: set[str] = set()
    hallados = []
    for c, viejos in carpetas:
        for r in archivos.restos([c], viejos=viejos):
            if r.ruta not in vistos:
                vistos.add(r.ruta)
                hallados.append(r)
    return hallados


def _borrar_restos_locales(carpetas: list[Path], informar: Mensaje, viejos: bool = True) -> list[Resto]:
    borrados = [r for r in _restos_locales([(c, viejos) for c in carpetas]) if archivos.borrar_resto(r)]
    if borrados:
        n = len(borrados)
        informar(
            f"Se {'borró' if n == 1 else 'borraron'} {plural(n, 'temporal')} "
            "de respaldos, verificaciones o restauraciones interrumpidos: "
            f"{', '.join(r.nombre for r in borrados[:3])}{'...' if n > 3 else ''}."
        )
    return borrados


def restos(url: str | None, carpeta: Path | None = None) -> tuple[list[Resto], str | None]:
    """Los temporales de respaldos, verificaciones y restauraciones en la carpeta de
    respaldos, la de la base (SQLite) y la temporal del sistema, y las bases desechables
    del servidor (PostgreSQL). Devuelve también por qué no se pudo mirar el servidor."""
    hallados = _restos_locales(_carpetas_locales(url, carpeta))
    problema = None
    if url is not None:
        try:
            hallados += motor_respaldo(motor_de_url(url)).restos_servidor(url)
        except AmautaError as e:
            problema = e.mensaje
    return hallados, problema


def limpiar_restos(
    url: str | None, carpeta: Path | None = None
) -> tuple[list[Resto], list[Resto], str | None]:
    """Borra los restos huérfanos (su proceso ya no existe). Devuelve (borrados, los que
    quedan, por qué no se pudo mirar el servidor)."""
    hallados = _restos_locales(_carpetas_locales(url, carpeta))
    borrados = [r for r in hallados if archivos.borrar_resto(r)]
    quedan = [r for r in hallados if r not in borrados]
    problema = None
    if url is not None:
        m = motor_respaldo(motor_de_url(url))
        try:
            servidor = m.restos_servidor(url)
            borrados_servidor = m.borrar_restos_servidor(url, servidor)
        except AmautaError as e:
            problema = e.mensaje
        else:
            borrados += borrados_servidor
            quedan += [r for r in servidor if r not in borrados_servidor]
    return borrados, quedan, problema
