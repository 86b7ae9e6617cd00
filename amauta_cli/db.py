"""Conexión a la base: resolución de la URL, motores por motor de base y transacciones.

Orden de resolución de la URL (la primera que esté definida):
``--db-url``, ``AMAUTA_DATABASE_URL``, ``DATABASE_URL`` y, si no hay ninguna,
un archivo SQLite en el directorio de datos del usuario
(``$XDG_DATA_HOME/amauta/amauta.db``, por defecto ``~/.local/share/amauta/amauta.db``).

Las funciones de URL no importan SQLAlchemy: ``amauta --help`` debe ser rápido.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import unquote, urlsplit

from amauta_cli.errores import AmautaError, ErrorConexion

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

VARIABLES_URL = ("AMAUTA_DATABASE_URL", "DATABASE_URL")


# --- URL ----------------------------------------------------------------------------
def ruta_sqlite_por_defecto() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "amauta" / "amauta.db"


@dataclass(frozen=True)
class OrigenURL:
    url: str
    origen: str  # "--db-url", "AMAUTA_DATABASE_URL", "DATABASE_URL" o "predeterminada"


def resolver_url(opcion: str | None = None) -> OrigenURL:
    """Devuelve la URL (ya normalizada) y de dónde salió."""
    if opcion:
        return OrigenURL(normalizar_url(opcion), "--db-url")
    for var in VARIABLES_URL:
        valor = os.environ.get(var)
        if valor:
            return OrigenURL(normalizar_url(valor), var)
    ruta = ruta_sqlite_por_defecto()
    return OrigenURL(f"sqlite:///{ruta}", "predeterminada")


def normalizar_url(url: str) -> str:
    """``postgres://`` y ``postgresql://`` pasan a ``postgresql+psycopg://`` (psycopg 3)."""
    url = url.strip()
    m = re.match(r"^(postgres|postgresql)(\+[a-z0-9_]+)?://", url)
    if m:
        return "postgresql+psycopg://" + url[m.end() :]
    if url.startswith("sqlite:") or "://" in url:
        return url
    # Una ruta a secas se toma como un archivo SQLite.
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def motor_de_url(url: str) -> str:
    """``postgresql`` o ``sqlite`` (o el esquema que sea)."""
    return url.split(":", 1)[0].split("+", 1)[0]


def enmascarar_url(url: str) -> str:
    """La URL con la contraseña reemplazada por ``***`` (para mostrarla en cualquier salida)."""
    return re.sub(r"^([a-z0-9+.\-]+://[^:/@]*):([^@/]*)@", r"\1:***@", url, flags=re.I)


def enmascarar_texto(texto: str, url: str) -> str:
    """Quita de un texto cualquier aparición de la contraseña de ``url``."""
    pw = password_de_url(url)
    if pw:
        texto = texto.replace(pw, "***")
    return texto


def password_de_url(url: str) -> str | None:
    try:
        pw = urlsplit(url).password
    except ValueError:
        return None
    return unquote(pw) if pw else None


@dataclass(frozen=True)
class DatosConexion:
    motor: str
    host: str | None
    puerto: int | None
    base: str | None
    usuario: str | None


def datos_conexion(url: str) -> DatosConexion:
    motor = motor_de_url(url)
    if motor == "sqlite":
        ruta = url.split("///", 1)[1] if "///" in url else None
        return DatosConexion("sqlite", None, None, ruta, None)
    partes = urlsplit(url)
    try:
        puerto = partes.port or 5432
    except ValueError:
        puerto = None
    return DatosConexion(
        motor,
        partes.hostname or "localhost",
        puerto,
        (partes.path or "/").lstrip("/") or None,
        partes.username,
    )


def ruta_sqlite(url: str) -> Path | None:
    """El archivo de una URL ``sqlite:///...`` (None para ``:memory:``)."""
    if motor_de_url(url) != "sqlite":
        return None
    resto = url.split(":///", 1)[1] if ":///" in url else ""
    resto = resto.split("?", 1)[0]
    if not resto or resto == ":memory:":
        return None
    return Path(resto)


def _sin_acentos(valor: object) -> object:
    if valor is None:
        return None
    from amauta_cli.textos import sin_acentos

    return sin_acentos(str(valor))


def _lexemas(valor: object) -> str:
    from amauta_cli.busqueda import lexemas

    return lexemas(None if valor is None else str(valor))


def _colacion_es(a: str, b: str) -> int:
    from amauta_cli.textos import comparar

    return comparar(a, b)


# --- Motores ---------------------------------------------------------------------------
_motores: dict[str, "Engine"] = {}


def crear_motor(url: str) -> "Engine":
    """Un motor por URL y proceso, con los ajustes de cada motor de base."""
    if url in _motores:
        return _motores[url]
    from sqlalchemy import create_engine, event

    motor = motor_de_url(url)
    if motor == "sqlite":
        ruta = ruta_sqlite(url)
        if ruta is not None:
            ruta.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _al_conectar(dbapi_con, _registro):  # pragma: no cover - trivial
            # Transacciones explícitas: pysqlite no emite BEGIN antes del DDL.
            dbapi_con.isolation_level = None
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # Equivalente SQLite de services.comun.sin_acentos_sql (búsquedas sin acentos).
            dbapi_con.create_function("amauta_sin_acentos", 1, _sin_acentos, deterministic=True)
            # Raíces en español para la tabla FTS5 de búsqueda de cursos (migración 0004).
            dbapi_con.create_function("amauta_lexemas", 1, _lexemas, deterministic=True)
            # Orden alfabético español (dialecto.SQLite.orden_es): ``COLLATE es``.
            dbapi_con.create_collation("es", _colacion_es)

        @event.listens_for(engine, "begin")
        def _al_comenzar(conn):  # pragma: no cover - trivial
            # IMMEDIATE toma el bloqueo de escritura al empezar: dos escritores
            # concurrentes esperan (busy_timeout) en lugar de fallar al promover el bloqueo.
            if conn.get_execution_options().get("solo_lectura"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

    elif motor == "postgresql":
        engine = create_engine(
            url,
            pool_pre_ping=False,
            connect_args={
                "connect_timeout": 10,
                "application_name": "amauta",
                # Sin sentencias preparadas automáticas: tras borrar y recrear los tipos enum
                # (seed --reset, restore, rollback + migrate en un mismo proceso) una sentencia
                # preparada en una conexión del pool falla con "cache lookup failed for type".
                "prepare_threshold": None,
            },
        )
    else:
        raise AmautaError(
            f"Motor de base de datos no soportado: '{motor}'. "
            "Use una URL postgresql://... o sqlite:///ruta/al/archivo.db."
        )
    _motores[url] = engine
    return engine


def cerrar_motores() -> None:
    """Cierra todas las conexiones abiertas (útil en pruebas y antes de borrar una base)."""
    for engine in _motores.values():
        engine.dispose()
    _motores.clear()


@contextmanager
def transaccion(url_o_motor: "str | Engine", solo_lectura: bool = False) -> Iterator["Session"]:
    """Una unidad de trabajo: una sesión en una transacción; commit al salir, rollback si falla.

    Todo comando que modifica datos corre dentro de una sola llamada a ``transaccion``.
    """
    from sqlalchemy.orm import Session

    engine = crear_motor(url_o_motor) if isinstance(url_o_motor, str) else url_o_motor
    bind = engine.execution_options(solo_lectura=True) if solo_lectura else engine
    with Session(bind=bind, expire_on_commit=False) as sesion:
        try:
            with traducir_errores(engine.url.render_as_string(hide_password=False)):
                yield sesion
                if not solo_lectura:
                    sesion.commit()
                # Solo lectura: al cerrar, la conexión vuelve al pool con rollback, pero los
                # objetos ya leídos siguen usables (rollback() los expiraría).
        except BaseException:
            sesion.rollback()
            raise


@contextmanager
def conexion(url_o_motor: "str | Engine", solo_lectura: bool = False) -> Iterator["Connection"]:
    """Una conexión Core en una transacción (commit al salir, rollback si falla)."""
    engine = crear_motor(url_o_motor) if isinstance(url_o_motor, str) else url_o_motor
    if solo_lectura:
        engine = engine.execution_options(solo_lectura=True)
    with traducir_errores(engine.url.render_as_string(hide_password=False)):
        with engine.begin() as con:
            yield con


# --- Errores de conexión ------------------------------------------------------------------
@contextmanager
def traducir_errores(url: str) -> Iterator[None]:
    """Convierte errores de conexión del driver en un ``ErrorConexion`` en español."""
    try:
        yield
    except AmautaError:
        raise
    except Exception as exc:  # noqa: BLE001 - se re-lanza si no es de conexión
        traducido = error_de_conexion(exc, url)
        if traducido is None:
            raise
        raise traducido from exc


def error_de_conexion(exc: BaseException, url: str) -> ErrorConexion | None:
    """Un mensaje de un párrafo (URL enmascarada, host, puerto, qué probar), o None."""
    from sqlalchemy import exc as sa_exc

    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    original = str(getattr(exc, "orig", exc) or exc)
    texto = original.lower()
    d = datos_conexion(url)
    donde = f"{enmascarar_url(url)}"
    if d.motor == "sqlite":
        if "unable to open database" in texto:
            return ErrorConexion(
                f"No se pudo abrir la base SQLite {d.base}: el archivo o su carpeta no son "
                "accesibles. Revise la ruta y los permisos."
            )
        if "locked" in texto:
            return ErrorConexion(
                f"La base SQLite {d.base} está bloqueada por otro proceso desde hace más de "
                "30 segundos. Espere a que termine y vuelva a intentar."
            )
        if "not a database" in texto or "malformed" in texto or "file is encrypted" in texto:
            return ErrorConexion(
                f"El archivo {d.base} no es una base SQLite válida (o está dañado). "
                "Revise la ruta o restaure un respaldo con `amauta db restore`."
            )
        return None
    servidor = f"el servidor PostgreSQL en {d.host}:{d.puerto}"
    if "password authentication failed" in texto or "no password supplied" in texto:
        return ErrorConexion(
            f"{servidor} rechazó la contraseña del usuario '{d.usuario}' ({donde}). "
            "Revise la contraseña en AMAUTA_DATABASE_URL o en PGPASSWORD / ~/.pgpass; "
            "no la escriba en la línea de comandos."
        )
    if "does not exist" in texto and "database" in texto:
        return ErrorConexion(
            f"La base de datos '{d.base}' no existe en {servidor} ({donde}). "
            f"Créela con `createdb -h {d.host} -p {d.puerto} {d.base}` "
            "o corrija el nombre en la URL."
        )
    if "role" in texto and "does not exist" in texto:
        return ErrorConexion(
            f"El usuario '{d.usuario}' no existe en {servidor} ({donde}). "
            "Corrija el usuario de la URL o créelo en el servidor."
        )
    if any(
        s in texto
        for s in (
            "connection refused",
            "could not connect",
            "timeout expired",
            "could not translate host name",
            "name or service not known",
            "no route to host",
            "connection failed",
            "server closed the connection",
            "network is unreachable",
        )
    ):
        return ErrorConexion(
            f"No se pudo conectar con {servidor} ({donde}). Compruebe que el servidor esté "
            f"en marcha y acepte conexiones en el puerto {d.puerto} (por ejemplo con "
            f"`pg_isready -h {d.host} -p {d.puerto}`), y que el host y el puerto de la URL "
            "sean correctos."
        )
    return None
