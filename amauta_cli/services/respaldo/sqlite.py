"""Respaldos de SQLite: la API de respaldo en línea, comprimida con gzip.

- Respaldo: una instantánea consistente (aunque otros procesos sigan escribiendo) en una
  carpeta privada (700, la copia 600) junto al destino, comprimida al archivo final y
  borrada por cualquier camino de salida; si el proceso muere, ``archivos.restos`` la
  encuentra. Antes de empezar se comprueba que haya lugar para la copia y el archivo.
- Restauración: se escribe y comprueba (``quick_check``) un archivo nuevo (600) junto al
  destino y se reemplaza con ``os.replace``; si otro proceso tiene la base abierta,
  amauta espera unos segundos y, si sigue abierta, no la reemplaza.
- Verificación: en una carpeta privada de la carpeta temporal del sistema.

Este módulo y ``postgresql.py`` ofrecen la misma interfaz (ver ``flujo.py``).
"""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

from amauta_cli.db import conexion, ruta_sqlite, traducir_errores
from amauta_cli.errores import AmautaError, DatosInvalidos, NoEncontrado, OperacionRechazada

from . import archivos
from .archivos import Escritor, Resto, abrir_nuevo, carpeta_privada, crear_carpeta, fsync_carpeta
from .comun import BLOQUE, Progreso
from .inspeccion import Inspeccion
from .resultados import PlanRestauracion
from .verificacion import mensaje_revision_nueva, revision_conocida

EXTENSIONES = {"sqlite": ".db.gz"}


def elegir_formato(formato: str | None, _salida: str | Path | None) -> str:
    if formato not in (None, "custom"):
        raise DatosInvalidos(
            "--formato sql es solo para PostgreSQL: en SQLite el respaldo es siempre una "
            "copia comprimida de la base (.db.gz)."
        )
    return "sqlite"


def describir_destino(url: str) -> dict[str, Any]:
    return {"base": str(ruta_sqlite(url)), "servidor": None}


def carpetas_de_restos(url: str) -> list[Path]:
    """La carpeta de la base: ahí deja su archivo nuevo una restauración."""
    ruta = ruta_sqlite(url)
    return [ruta.parent] if ruta is not None else []


def restos_servidor(_url: str) -> list[Resto]:
    return []


def borrar_restos_servidor(_url: str, _restos: list[Resto] | None = None) -> list[Resto]:
    return []


def tiene_datos(url: str) -> bool:
    """¿Alguna tabla (salvo ``alembic_version``) tiene filas? Una base inexistente, no."""
    ruta = ruta_sqlite(url)
    if ruta is None or not ruta.exists():
        return False
    from amauta_cli.services.esquema import contar_filas

    with conexion(url, solo_lectura=True) as con:
        return any(contar_filas(con).values())


def _motor_archivo(ruta: Path):
    """Un motor SQLAlchemy sin caché ni pool para un archivo SQLite de trabajo."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(f"sqlite:///{ruta}", poolclass=NullPool)


def _describir(ruta: Path) -> dict[str, Any]:
    """Revisión, entorno, versión y filas por tabla de un archivo SQLite."""
    from amauta_cli.services import entorno
    from amauta_cli.services.esquema import contar_filas, revision_actual, version_servidor

    engine = _motor_archivo(ruta)
    try:
        with engine.connect() as con:
            return {
                "version_servidor": version_servidor(con),
                "revision": revision_actual(con),
                "entorno": entorno.leer(con),
                "tablas": contar_filas(con),
            }
    finally:
        engine.dispose()


# --- Respaldar -----------------------------------------------------------------------------------
def _tamano_base(origen: Path) -> int:
    total = 0
    for ruta in (origen, origen.with_name(origen.name + "-wal")):
        try:
            total += ruta.stat().st_size
        except OSError:
            pass
    return total


def espacio_necesario(url: str) -> int:
    """Lo que un respaldo necesita libre en su carpeta: la copia temporal de la base (su
    tamaño) más el archivo comprimido (se cuenta la mitad de la base: suele ser mucho menos)."""
    origen = ruta_sqlite(url)
    tamano = _tamano_base(origen) if origen is not None else 0
    return tamano + tamano // 2


def preparar_respaldo(url: str, carpeta: Path) -> None:
    """Antes de crear nada: la base existe y en ``carpeta`` hay lugar para respaldarla."""
    origen = ruta_sqlite(url)
    if origen is None or not origen.is_file():
        raise NoEncontrado(f"La base SQLite {origen or url} no existe: no hay nada que respaldar.")
    archivos.exigir_espacio(
        carpeta,
        espacio_necesario(url),
        "el respaldo (la copia temporal de la base más el archivo comprimido)",
    )


def respaldar(url: str, destino: Path, _formato: str, progreso: Progreso) -> dict[str, Any]:
    origen = ruta_sqlite(url)
    assert origen is not None
    escritor = None
    try:
        with progreso("Respaldando (SQLite)", None), carpeta_privada(destino, "copia") as privada:
            copia = privada / "copia.db"
            os.close(abrir_nuevo(copia))
            src = sqlite3.connect(origen, timeout=30)
            dst = sqlite3.connect(copia)
            try:
                # Un solo paso: la copia es una instantánea, aunque otros sigan escribiendo (WAL).
                with traducir_errores(url):
                    src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
                src.close()
            datos = _describir(copia)
            escritor = Escritor(destino)
            with open(copia, "rb") as f, gzip.GzipFile(
                filename=destino.name.removesuffix(".gz"), mode="wb", fileobj=escritor, compresslevel=6
            ) as gz:
                shutil.copyfileobj(f, gz, BLOQUE)
            escritor.cerrar()
    except BaseException:
        if escritor is not None:
            escritor.descartar()
        raise
    datos.update(herramienta=None, sha256=escritor.sha256, tamano=escritor.tamano)
    return datos


# --- Restaurar -----------------------------------------------------------------------------------
def planificar(url: str, insp: Inspeccion, forzar: bool) -> PlanRestauracion:
    from amauta_cli.services import entorno
    from amauta_cli.services.esquema import contar_filas

    ruta = ruta_sqlite(url)
    if ruta is None:
        raise DatosInvalidos("No se puede restaurar en una base SQLite en memoria.")
    filas: dict[str, int] = {}
    env = None
    if ruta.exists():
        try:
            with conexion(url, solo_lectura=True) as con:
                filas = contar_filas(con)
                env = entorno.leer(con)
        except AmautaError as e:
            if "no es una base SQLite válida" in e.mensaje:
                raise DatosInvalidos(
                    f"El destino {ruta} no es una base SQLite válida (está dañado). Muévalo a "
                    f"otro lugar (`mv {ruta} {ruta}.danada`) y restaure en esa misma ruta."
                ) from None
            raise
    return PlanRestauracion(
        url, insp, [t for t, n in filas.items() if n], False, env, forzar, nombre_base=ruta.name
    )


def restaurar(
    plan: PlanRestauracion, conocidas: list[str] | None, progreso: Progreso
) -> tuple[str | None, dict[str, int], str]:
    from amauta_cli.db import cerrar_motores
    from amauta_cli.services.esquema import contar_filas, revision_actual

    destino = ruta_sqlite(plan.url)
    assert destino is not None
    crear_carpeta(destino.parent, "la carpeta de la base")
    # Los archivos de restauraciones interrumpidas de esta base (de procesos ya muertos).
    for r in archivos.restos([destino.parent]):
        if r.nombre.startswith(f".{destino.name}.restaurando-"):
            archivos.borrar_resto(r)
    nuevo = archivos.nombre_temporal(destino, "restaurando")
    try:
        volcar(plan.inspeccion, nuevo, progreso)
        descripcion = _describir(nuevo)
        if conocidas is not None and not revision_conocida(descripcion["revision"]):
            raise OperacionRechazada(mensaje_revision_nueva(descripcion["revision"]))
        if plan.entorno_destino:
            _marcar_entorno(nuevo, plan.entorno_destino)
        if destino.exists():  # el archivo nuevo hereda permisos y dueño del anterior
            shutil.copymode(destino, nuevo)
            st = destino.stat()
            try:
                os.chown(nuevo, st.st_uid, st.st_gid)
            except OSError:
                pass
        cerrar_motores()  # ninguna conexión de este proceso al archivo viejo
        reemplazar(nuevo, destino)
    finally:
        nuevo.unlink(missing_ok=True)
        nuevo.with_name(nuevo.name + "-journal").unlink(missing_ok=True)
    cerrar_motores()
    with conexion(plan.url, solo_lectura=True) as con:
        return revision_actual(con), contar_filas(con), "sqlite"


def tras_restaurar(_plan: PlanRestauracion) -> list[str]:
    """Sin roles en SQLite: nada que avisar."""
    return []


def volcar(insp: Inspeccion, destino: Path, progreso: Progreso) -> None:
    """Descomprime (o copia) el respaldo SQLite en ``destino`` (un archivo nuevo, 600) y
    comprueba su integridad."""
    try:
        with progreso("Restaurando (SQLite)", insp.tamano) as avanzar, open(
            insp.archivo, "rb"
        ) as crudo, os.fdopen(abrir_nuevo(destino), "wb") as salida:
            origen = gzip.GzipFile(fileobj=crudo, mode="rb") if insp.formato == "sqlite.gz" else crudo
            leido = 0
            while bloque := origen.read(BLOQUE):
                salida.write(bloque)
                avanzar(crudo.tell() - leido)
                leido = crudo.tell()
            salida.flush()
            os.fsync(salida.fileno())
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OperacionRechazada(
                f"No hay espacio en {destino.parent} para descomprimir {insp.archivo.name} "
                f"(hace falta el tamaño de la base entera). Libere espacio y vuelva a intentarlo; "
                "no se tocó ninguna base."
            ) from None
        raise DatosInvalidos(
            f"El respaldo {insp.archivo.name} está dañado o incompleto ({e}). No se tocó ninguna base."
        ) from None
    except EOFError as e:
        raise DatosInvalidos(
            f"El respaldo {insp.archivo.name} está dañado o incompleto ({e}). No se tocó ninguna base."
        ) from None
    try:
        con = sqlite3.connect(destino)
        try:
            resultado = con.execute("PRAGMA quick_check").fetchall()
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        resultado = [(str(e),)]
    if resultado != [("ok",)]:
        raise DatosInvalidos(
            f"El respaldo {insp.archivo.name} no contiene una base SQLite sana "
            f"({'; '.join(str(r[0]) for r in resultado[:3])}). No se tocó ninguna base."
        )


def _marcar_entorno(ruta: Path, entorno_destino: str) -> None:
    from sqlalchemy import inspect

    from amauta_cli.services import entorno

    engine = _motor_archivo(ruta)
    try:
        with engine.begin() as con:
            if inspect(con).has_table("_amauta_meta") and entorno.leer(con) != entorno_destino:
                entorno.marcar(con, entorno_destino)
    finally:
        engine.dispose()


def reemplazar(nuevo: Path, destino: Path, espera: float = 15.0) -> None:
    """``os.replace(nuevo, destino)`` con el destino bloqueado y sin WAL pendiente.

    Cambiar el destino a ``journal_mode=DELETE`` vuelca su WAL y falla si otro proceso lo
    tiene abierto: así nunca queda un ``-wal`` viejo junto a la base nueva.
    """
    if not destino.exists():
        os.replace(nuevo, destino)
        fsync_carpeta(destino.parent)
        return
    limite = time.monotonic() + espera
    con = sqlite3.connect(destino, timeout=espera, isolation_level=None)
    try:
        while True:
            try:
                modo = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
                if modo == "delete":
                    con.execute("BEGIN EXCLUSIVE")
                    break
            except sqlite3.OperationalError:
                pass
            if time.monotonic() > limite:
                raise OperacionRechazada(
                    f"La base SQLite {destino} está abierta por otro proceso: no se puede "
                    "reemplazar sin riesgo. Cierre los programas que la usan y vuelva a "
                    "intentarlo; la base quedó como estaba."
                )
            time.sleep(0.1)
        os.replace(nuevo, destino)
        fsync_carpeta(destino.parent)
    finally:
        con.close()


# --- Verificar ---------------------------------------------------------------------------------------
def verificar(
    insp: Inspeccion, _url_servidor: str | None, progreso: Progreso, _avisar: Callable[[str], None]
) -> tuple[str | None, dict[str, int], str]:
    """Descomprime el respaldo en una carpeta privada (700) de la carpeta temporal del
    sistema, lo describe y la borra."""
    with carpeta_privada(archivos.carpeta_temporal_del_sistema() / "amauta", "verificando") as tmp:
        copia = tmp / "verificacion.db"
        volcar(insp, copia, progreso)
        d = _describir(copia)
    return d["revision"], d["tablas"], "archivo temporal"
