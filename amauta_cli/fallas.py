"""Fallas del entorno: no son errores de amauta, y se dicen como tales.

Una conexión que se corta, un servidor que se reinicia, dos transacciones que se traban
(deadlock), un error de serialización, un bloqueo que no llega, un disco lleno, una carpeta de
solo lectura o sin permisos, un archivo que falta: cada una se informa con un párrafo en
español que dice qué pasó, si se escribió algo o no, y qué probar. Sale con código 1.
"Error inesperado ... repórtelo" queda solo para los errores de amauta de verdad.

Qué clase de falla es cada excepción del driver lo decide el dialecto de cada motor
(``Dialecto.clasificar_falla``: SQLSTATE en PostgreSQL, código de error en SQLite); el texto
vive aquí, uno solo para los dos motores.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from amauta_cli.errores import AmautaError, ErrorConexion

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.objetivo import Objetivo


class FallaDelEntorno(ErrorConexion):
    """Algo del entorno (servidor, red, disco, permisos) impidió terminar el comando."""


#: Marca que ``db.transaccion`` pone en una excepción ocurrida al confirmar (COMMIT): si la
#: conexión se cortó justo ahí, no se sabe si la transacción se guardó.
EN_COMMIT = "_amauta_en_commit"


def marcar_en_commit(exc: BaseException) -> None:
    try:
        setattr(exc, EN_COMMIT, True)
    except (AttributeError, TypeError):  # pragma: no cover - excepción sin __dict__
        pass


def _estado(exc: BaseException) -> str:
    if getattr(exc, EN_COMMIT, False):
        return (
            "Ocurrió al confirmar la transacción: no se puede saber si los cambios llegaron a "
            "guardarse. Antes de repetir el comando, revise con una consulta (por ejemplo "
            "`ver` o `listar`) si ya están."
        )
    return "La transacción se deshizo: no se escribió nada."


def _original(exc: BaseException) -> BaseException:
    """La excepción del driver dentro de una de SQLAlchemy (o la misma)."""
    return getattr(exc, "orig", None) or exc


def traducir(exc: BaseException, objetivo: "Objetivo | None" = None) -> AmautaError | None:
    """La falla del entorno de ``exc`` como un error en español, o None si no lo es."""
    if isinstance(exc, AmautaError):
        return None
    orig = _original(exc)
    if isinstance(orig, OSError) and not _es_del_driver(orig):
        return falla_de_archivo(orig)
    if objetivo is None or not _es_del_driver(orig):
        return None
    from amauta_cli.dialecto import por_nombre

    clase = por_nombre(objetivo.motor).clasificar_falla(orig)
    if clase is None:
        return None
    return _mensaje(clase, exc, orig, objetivo)


def _es_del_driver(e: BaseException) -> bool:
    return type(e).__module__.startswith(("psycopg", "sqlite3"))


def _texto(orig: BaseException) -> str:
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _mensaje(clase: str, exc: BaseException, orig: BaseException, o: "Objetivo") -> AmautaError:
    estado = _estado(exc)
    if o.es_sqlite:
        base = f"la base SQLite {o.ruta or ':memory:'}"
        carpeta = o.ruta.parent if o.ruta else None
    else:
        base = f"el servidor PostgreSQL en {o.host}:{o.puerto} (base '{o.nombre_base}')"
        carpeta = None
    reintente = "Vuelva a ejecutar el comando: no es un error de los datos ni de amauta."
    if clase == "conexion_perdida":
        return FallaDelEntorno(
            f"Se perdió la conexión con {base} en medio del comando: el servidor se reinició, "
            f"se detuvo o cortó la conexión ({o.url_enmascarada}). {estado} Cuando el servidor "
            f"vuelva a responder (compruébelo con `pg_isready -h {o.host} -p {o.puerto}`), "
            "ejecute el comando de nuevo."
        )
    if clase == "servidor_no_disponible":
        return FallaDelEntorno(
            f"{_may(base)} no acepta conexiones en este momento: se está iniciando, apagando o "
            f"recuperando. {estado} Espere unos segundos y vuelva a intentar "
            f"(`pg_isready -h {o.host} -p {o.puerto}` dice cuándo está listo)."
        )
    if clase == "demasiadas_conexiones":
        return FallaDelEntorno(
            f"{_may(base)} rechazó la conexión: ya tiene todas las conexiones que admite "
            "(max_connections). Nada se escribió. Espere a que terminen otros procesos o pida "
            "a quien administra el servidor que revise las conexiones abiertas."
        )
    if clase == "bloqueo_mutuo":
        return FallaDelEntorno(
            "Este comando y otra operación sobre la misma base se trabaron mutuamente "
            "(deadlock: cada una esperaba datos que tenía la otra) y la base canceló este "
            f"para destrabar a la otra. {estado} {reintente}"
        )
    if clase == "serializacion":
        return FallaDelEntorno(
            "Otra operación modificó al mismo tiempo los datos que este comando estaba usando "
            f"y la base no pudo ordenarlas (error de serialización). {estado} {reintente}"
        )
    if clase == "espera_bloqueo":
        if o.es_sqlite:
            return FallaDelEntorno(
                f"La base SQLite {o.ruta} está bloqueada por otro proceso desde hace más de "
                f"30 segundos. {estado} Espere a que termine y vuelva a intentar."
            )
        return FallaDelEntorno(
            "Se agotó el tiempo de espera: otra operación tiene tomados los datos que este "
            f"comando necesita (lock_timeout o statement_timeout de {base}). {estado} Espere "
            "a que termine y vuelva a intentar; la consulta `SELECT pid, state, query FROM "
            "pg_stat_activity` muestra quién los tiene."
        )
    if clase == "cancelado":
        return FallaDelEntorno(
            f"El comando fue cancelado desde el servidor ({base}). {estado} Si no lo canceló "
            "usted, consulte a quien administra el servidor y vuelva a intentar."
        )
    if clase == "disco_lleno":
        if o.es_sqlite:
            return FallaDelEntorno(
                f"El disco donde está la base SQLite {o.ruta} se llenó (o la base llegó a su "
                f"tamaño máximo). {estado} Libere espacio en {carpeta} (`df -h {carpeta}`) y "
                "vuelva a ejecutar el comando."
            )
        return FallaDelEntorno(
            f"El disco de {base} se llenó. {estado} Pida a quien administra el servidor que "
            "libere espacio y vuelva a ejecutar el comando."
        )
    if clase == "memoria":
        return FallaDelEntorno(
            f"{_may(base)} se quedó sin memoria para este comando. {estado} Vuelva a intentar "
            "más tarde o con menos datos por vez."
        )
    if clase == "solo_lectura":
        if o.es_sqlite:
            return FallaDelEntorno(
                f"No se puede modificar la base SQLite {o.ruta}: {_por_que_no_escribe(o.ruta)} "
                f"{estado} Corrija los permisos (`ls -l {o.ruta}`) o copie la base a una carpeta "
                "donde pueda escribir."
            )
        return FallaDelEntorno(
            f"{_may(base)} solo acepta lecturas (es una réplica o está en modo de solo lectura). "
            f"{estado} Use la URL del servidor principal para modificar datos."
        )
    if clase == "sin_permiso":
        if o.es_sqlite:
            return FallaDelEntorno(
                f"No hay permiso para usar la base SQLite {o.ruta}: {_por_que_no_escribe(o.ruta)} "
                f"{estado} Revise los permisos del archivo y de su carpeta."
            )
        return FallaDelEntorno(
            f"El usuario '{o.usuario}' no tiene permiso para esta operación en {base} "
            f"({_texto(orig)}). {estado} Use un usuario con los permisos necesarios."
        )
    if clase == "no_abre":
        return FallaDelEntorno(
            f"No se pudo abrir la base SQLite {o.ruta}: {_por_que_no_abre(o.ruta)}"
        )
    if clase == "disco":
        return FallaDelEntorno(
            f"Error de lectura o escritura del disco en {base}. {estado} Revise el disco "
            "(espacio, estado, que no se haya desconectado) y vuelva a intentar."
        )
    if clase == "danada":
        return FallaDelEntorno(
            f"El archivo {o.ruta} no es una base SQLite válida (o está dañado). "
            "Revise la ruta o restaure un respaldo con `amauta db restore`."
        )
    raise AssertionError(clase)  # pragma: no cover


def _may(texto: str) -> str:
    return texto[:1].upper() + texto[1:]


def _solo_lectura(carpeta: Path) -> bool:
    try:
        return bool(os.statvfs(carpeta).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _por_que_no_escribe(ruta: Path | None) -> str:
    if ruta is None:
        return "la base está en memoria."
    carpeta = ruta.parent
    if _solo_lectura(carpeta):
        return f"{carpeta} está en un sistema de archivos montado solo para lectura."
    if ruta.exists() and not os.access(ruta, os.W_OK):
        return "el archivo es de solo lectura para este usuario."
    if not os.access(carpeta, os.W_OK):
        return (
            f"este usuario no puede escribir en la carpeta {carpeta} (SQLite necesita crear "
            "ahí sus archivos -wal y -shm)."
        )
    return "el archivo o su carpeta no admiten escritura."


def _por_que_no_abre(ruta: Path | None) -> str:
    if ruta is None:  # pragma: no cover
        return "la base está en memoria."
    carpeta = ruta.parent
    if not carpeta.is_dir():
        return f"la carpeta {carpeta} no existe. Revise la ruta."
    if not ruta.exists():
        return (
            "el archivo no existe. Créelo con `amauta db migrate` o `amauta seed`, o revise la ruta."
        )
    if not os.access(ruta, os.R_OK):
        return "este usuario no tiene permiso para leer el archivo. Revise sus permisos."
    return (
        f"{_por_que_no_escribe(ruta)} Revise la ruta y los permisos del archivo y de su carpeta."
    )


# --- Archivos ---------------------------------------------------------------------------------
def falla_de_archivo(e: OSError) -> AmautaError | None:
    """Un error del sistema al leer o escribir un archivo, en español (o None)."""
    nombre = e.filename if e.filename not in (None, "<stdout>") else None
    cual = f"el archivo {nombre}" if nombre else "la salida"
    carpeta = Path(os.fspath(nombre)).parent if nombre else None
    if e.errno == errno.ENOSPC:
        donde = f" (`df -h {carpeta}`)" if carpeta else ""
        return FallaDelEntorno(
            f"No se pudo escribir {cual}: el disco está lleno. Lo escrito hasta ahí quedó "
            f"incompleto. Libere espacio{donde} o elija otro destino y vuelva a ejecutar el comando."
        )
    if e.errno == errno.EDQUOT:
        return FallaDelEntorno(
            f"No se pudo escribir {cual}: se agotó la cuota de disco del usuario. Libere espacio "
            "o elija otro destino y vuelva a ejecutar el comando."
        )
    if e.errno == errno.EROFS:
        return FallaDelEntorno(
            f"No se pudo escribir {cual}: está en un sistema de archivos montado solo para "
            "lectura. Elija un destino donde se pueda escribir."
        )
    if e.errno in (errno.EACCES, errno.EPERM):
        return FallaDelEntorno(
            f"No hay permiso para usar {cual}"
            + (f" (en la carpeta {carpeta})" if carpeta else "")
            + ". Elija otro destino o revise los permisos."
        )
    if e.errno == errno.ENOENT:
        if carpeta is not None and not carpeta.is_dir():
            return FallaDelEntorno(
                f"No se pudo usar {cual}: la carpeta {carpeta} no existe. Créela o elija otro destino."
            )
        return FallaDelEntorno(f"No se pudo usar {cual}: no existe.")
    if e.errno == errno.EISDIR:
        return FallaDelEntorno(f"No se pudo escribir {cual}: es una carpeta, no un archivo.")
    if e.errno == errno.EIO:
        return FallaDelEntorno(
            f"Error de entrada/salida del disco al usar {cual}. Revise el disco y vuelva a intentar."
        )
    return None
