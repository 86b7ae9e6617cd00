"""Conexión a la base: resolución de la URL, motores por motor de base y transacciones.

Orden de resolución de la URL (la primera que esté definida):
``--db-url``, ``AMAUTA_DATABASE_URL``, ``DATABASE_URL`` y, si no hay ninguna,
un archivo SQLite en el directorio de datos del usuario
(``$XDG_DATA_HOME/amauta/amauta.db``, por defecto ``~/.local/share/amauta/amauta.db``).

Las funciones de URL no importan SQLAlchemy: ``amauta --help`` debe ser rápido.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from amauta_cli.errores import AmautaError, ErrorConexion
from amauta_cli.objetivo import (
    VARIABLES_URL,
    Objetivo,
    desde_url,
    enmascarar_en_texto,
    resolver,
    ruta_sqlite_por_defecto,
)

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

    from amauta_cli.dialecto import Dialecto

# VARIABLES_URL y ruta_sqlite_por_defecto se reexportan: viven en ``objetivo``.
_REEXPORTADOS = (VARIABLES_URL, ruta_sqlite_por_defecto)

#: La URL directa al servidor cuando la de arriba pasa por un pooler (PgBouncer en modo
#: transacción): como ``directUrl`` de Prisma. La usan pg_dump, pg_restore y psql, que fijan
#: parámetros de sesión que en un pool de transacciones quedarían en conexiones ajenas.
VARIABLES_URL_DIRECTA = ("AMAUTA_DIRECT_URL", "DIRECT_URL")


# --- URL (compatibilidad) -------------------------------------------------------------
# La URL se interpreta en un solo lugar: ``amauta_cli.objetivo``. Estas funciones quedan para
# quien todavía recibe una cadena (pruebas, benchmarks, respaldos) y delegan en él.
def como_objetivo(valor: "Objetivo | str") -> "Objetivo":
    """El objetivo de ``valor``: si ya lo es, tal cual; una cadena se valida una vez."""
    if isinstance(valor, Objetivo):
        return valor
    return desde_url(valor, "--db-url")


def resolver_url(opcion: str | None = None) -> Objetivo:
    """El objetivo (con ``url`` normalizada y ``origen``) de la primera URL definida."""
    return resolver(opcion)


def url_directa(objetivo: "Objetivo | str") -> "Objetivo":
    """La base para las herramientas de PostgreSQL (backup, restore): la de ``AMAUTA_DIRECT_URL``
    o ``DIRECT_URL`` si está definida (debe ser la misma base y el mismo usuario), si no la misma."""
    import os

    obj = como_objetivo(objetivo)
    if not obj.es_postgresql:
        return obj
    for var in VARIABLES_URL_DIRECTA:
        valor = os.environ.get(var)
        if not valor:
            continue
        directa = desde_url(valor, var)
        if not directa.es_postgresql or (directa.nombre_base, directa.usuario) != (obj.nombre_base, obj.usuario):
            raise AmautaError(
                f"{var} ({directa.url_enmascarada}) no es la misma base y usuario que la de amauta "
                f"({obj.url_enmascarada}). Debe ser la URL directa al servidor de esa misma base "
                "(sin pasar por PgBouncer); corríjala o quítela."
            )
        return directa
    return obj


def intermediario(objetivo: "Objetivo | str") -> tuple[int, int] | None:
    """``(puerto de la URL, puerto del servidor)`` si difieren: la conexión llega a PostgreSQL
    a través de otro proceso (PgBouncer, un proxy). None si es directa o no se sabe."""
    obj = como_objetivo(objetivo)
    if not obj.es_postgresql:
        return None
    from sqlalchemy import text

    try:
        with conexion(obj, solo_lectura=True) as con:
            puerto = con.execute(text("SELECT inet_server_port()")).scalar()
    except Exception:  # noqa: BLE001 - el comando informará el error de conexión
        return None
    if puerto is None or obj.puerto is None or int(puerto) == obj.puerto:
        return None
    return obj.puerto, int(puerto)


def normalizar_url(url: str) -> str:
    """``postgres://`` y ``postgresql://`` pasan a ``postgresql+psycopg://`` (psycopg 3)."""
    return desde_url(url).url


def motor_de_url(url: "str | Objetivo") -> str:
    """``postgresql`` o ``sqlite``."""
    return como_objetivo(url).motor


def enmascarar_url(url: str) -> str:
    """La URL con la contraseña reemplazada por ``***`` (para mostrarla en cualquier salida)."""
    return enmascarar_en_texto(url)


def enmascarar_texto(texto: str, url: "str | Objetivo") -> str:
    """Quita de un texto la contraseña de ``url`` allí donde una URL la lleva."""
    try:
        return como_objetivo(url).enmascarar(texto)
    except AmautaError:
        return enmascarar_en_texto(texto)


@dataclass(frozen=True)
class DatosConexion:
    motor: str
    host: str | None
    puerto: int | None
    base: str | None
    usuario: str | None


def datos_conexion(url: "str | Objetivo") -> DatosConexion:
    o = como_objetivo(url)
    if o.es_sqlite:
        return DatosConexion("sqlite", None, None, str(o.ruta) if o.ruta else None, None)
    return DatosConexion(o.motor, o.host, o.puerto, o.nombre_base or None, o.usuario)


def ruta_sqlite(url: "str | Objetivo") -> Path | None:
    """El archivo de una URL ``sqlite:///...`` (None para ``:memory:`` y PostgreSQL)."""
    return como_objetivo(url).ruta


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


# --- El driver a secas: los comandos de todos los días ------------------------------------------
def configurar_sqlite(dbapi_con: Any) -> None:
    """Los ajustes de cada conexión SQLite de amauta (con o sin SQLAlchemy)."""
    # Transacciones explícitas: pysqlite no emite BEGIN antes del DDL.
    dbapi_con.isolation_level = None
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    # Equivalente SQLite de dialecto.sin_acentos_sql (búsquedas sin acentos).
    dbapi_con.create_function("amauta_sin_acentos", 1, _sin_acentos, deterministic=True)
    dbapi_con.create_function("amauta_lexemas", 1, _lexemas, deterministic=True)
    # Orden alfabético español (dialecto.SQLite.orden_es): ``COLLATE es``.
    dbapi_con.create_collation("es", _colacion_es)


def conectar_sqlite(ruta: Path) -> Any:
    """Una conexión sqlite3 a un archivo que ya existe (modo ``rw``: nunca lo crea)."""
    import sqlite3
    from urllib.parse import quote

    return sqlite3.connect(
        f"file:{quote(str(ruta))}?mode=rw", uri=True, timeout=30, check_same_thread=False
    )


def parametros_psycopg() -> dict[str, Any]:
    return {
        "connect_timeout": 10,
        "application_name": "amauta",
        # Sin sentencias preparadas automáticas: tras borrar y recrear los tipos enum
        # (seed --reset, restore, rollback + migrate en un mismo proceso) una sentencia
        # preparada en una conexión del pool falla con "cache lookup failed for type".
        "prepare_threshold": None,
    }


def _por_nombre(motor: str) -> "Dialecto":
    from amauta_cli.dialecto import por_nombre

    return por_nombre(motor)


_PARAMETRO = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def _sql_psycopg(sql: str) -> str:
    return _PARAMETRO.sub(r"%(\1)s", sql.replace("%", "%%"))


#: Tablas que escribe ``Cruda`` durante el comando en curso, o None si nadie las anota. Las
#: anota ``cli.comun`` (``Contexto.sesion``/``cruda``) cuando hay una caché de Redis que avisar.
ESCRITURAS: "ContextVar[set[str] | None]" = ContextVar("amauta_escrituras", default=None)
_DML = re.compile(
    r'^\s*(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?'
    r'|\b(?:INSERT\s+INTO|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?',
    re.I,
)


def _anotar_escritura(sql: str) -> None:
    registro = ESCRITURAS.get()
    if registro is None:
        return
    for m in _DML.finditer(sql):
        registro.add(m.group(1) or m.group(2))


class Cruda:
    """Una conexión del driver (psycopg 3 o sqlite3) dentro de una transacción, con SQL escrito
    con parámetros ``:nombre`` en ambos motores y las piezas de su dialecto en ``d``.

    Los comandos de todos los días (``asistencia registrar``, ``ver``, ``usuarios listar``,
    ``calificaciones registrar``, ``db estado``) la usan en lugar de SQLAlchemy, que tarda más en
    importarse que todo el resto del comando. ``cruda(x)`` la obtiene también de una sesión o
    conexión de SQLAlchemy, dentro de su misma transacción: un servicio escrito sobre ``Cruda``
    sirve a ambos caminos.
    """

    def __init__(self, dbapi: Any, d: "Dialecto") -> None:
        self.dbapi = dbapi
        self.d = d
        self._pg = d.es_servidor

    def _sql(self, sql: str) -> str:
        return _sql_psycopg(sql) if self._pg else sql

    def _cursor(self, sql: str, params: dict[str, Any]) -> Any:
        _anotar_escritura(sql)
        cur = self.dbapi.cursor()
        cur.execute(self._sql(sql), params)
        return cur

    def filas(self, sql: str, **params: Any) -> list[tuple]:
        cur = self._cursor(sql, params)
        try:
            return cur.fetchall()
        finally:
            cur.close()

    def flujo(self, sql: str, tramo: int = 2000, **params: Any) -> Iterator[tuple]:
        """Las filas a medida que el servidor las produce (PostgreSQL: ``stream`` por tramos de
        ``tramo`` filas): quien las recorre trabaja mientras la consulta sigue. Para consultas
        grandes cuyo plan entrega filas antes de terminar (una agregación sobre un índice)."""
        _anotar_escritura(sql)
        cur = self.dbapi.cursor()
        try:
            yield from self.d.filas_por_tramos(cur, self._sql(sql), params, tramo)
        finally:
            cur.close()

    def dicts(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        cur = self._cursor(sql, params)
        try:
            nombres = [c[0] for c in cur.description]
            return [dict(zip(nombres, f)) for f in cur.fetchall()]
        finally:
            cur.close()

    def uno(self, sql: str, **params: Any) -> tuple | None:
        cur = self._cursor(sql, params)
        try:
            return cur.fetchone()
        finally:
            cur.close()

    def valor(self, sql: str, **params: Any) -> Any:
        fila = self.uno(sql, **params)
        return fila[0] if fila else None

    def ejecutar(self, sql: str, **params: Any) -> int:
        cur = self._cursor(sql, params)
        try:
            return cur.rowcount
        finally:
            cur.close()

    def ejecutar_muchos(self, sql: str, filas: Sequence[dict[str, Any]]) -> None:
        if not filas:
            return
        _anotar_escritura(sql)
        cur = self.dbapi.cursor()
        try:
            cur.executemany(self._sql(sql), filas)
        finally:
            cur.close()


def cruda(x: Any) -> Cruda:
    """La ``Cruda`` de ``x``: ella misma, o la conexión del driver de una sesión o conexión de
    SQLAlchemy (en su misma transacción)."""
    if isinstance(x, Cruda):
        return x
    from amauta_cli.dialecto import dialecto

    if hasattr(x, "get_bind"):  # una Session: lo pendiente, a la base (como el autoflush)
        x.flush()
        con = x.connection()
    else:
        con = x
    return Cruda(con.connection.driver_connection, dialecto(con))


@contextmanager
def conexion_cruda(objetivo: "Objetivo | str", solo_lectura: bool = False) -> Iterator[Cruda]:
    """Una transacción con el driver a secas: commit al salir, rollback si falla.

    Mismos ajustes que los motores de SQLAlchemy (``crear_motor``): SQLite en modo ``rw`` (nunca
    crea la base), WAL, claves foráneas, ``BEGIN IMMEDIATE`` para escribir; PostgreSQL sin
    sentencias preparadas automáticas. Los errores se traducen igual (``fallas``).
    """
    from amauta_cli.dialecto import atado, por_nombre

    objetivo = como_objetivo(objetivo)
    objetivo.exigir_existente()
    d = por_nombre(objetivo.motor)
    with traducir_errores(objetivo):
        if objetivo.es_sqlite:
            if objetivo.ruta is None:
                import sqlite3

                dbapi = sqlite3.connect(":memory:")
            else:
                dbapi = conectar_sqlite(objetivo.ruta)
            configurar_sqlite(dbapi)
            dbapi.execute("BEGIN" if solo_lectura else "BEGIN IMMEDIATE")
        else:
            import psycopg

            dbapi = psycopg.connect(objetivo.url_libpq, **parametros_psycopg())
        marca = None if solo_lectura else d.marcar_auditoria(dbapi)  # auditoría (0005)
        try:
            yield Cruda(dbapi, atado(d, dbapi))
        except BaseException:
            _deshacer(dbapi.rollback)
            dbapi.close()
            raise
        if not solo_lectura:
            d.sellar_auditoria(dbapi, marca)
        with _en_commit():
            if objetivo.es_sqlite:
                dbapi.execute("ROLLBACK" if solo_lectura else "COMMIT")
            elif solo_lectura:
                dbapi.rollback()
            else:
                dbapi.commit()
        dbapi.close()


# --- Motores ---------------------------------------------------------------------------
_motores: dict[str, "Engine"] = {}


def crear_motor(objetivo: "Objetivo | str") -> "Engine":
    """Un motor por base y proceso, con los ajustes de cada motor de base.

    Un archivo SQLite se abre siempre en modo ``rw``: conectarse nunca crea una base (solo
    ``Objetivo.preparar_creacion``, que llaman ``db migrate``, ``seed`` y ``db restore``).
    """
    objetivo = como_objetivo(objetivo)
    url = objetivo.url
    if url in _motores:
        return _motores[url]
    from sqlalchemy import create_engine, event

    if objetivo.es_sqlite:
        kwargs: dict = {"connect_args": {"timeout": 30}}
        if objetivo.ruta is not None:
            ruta = objetivo.ruta
            kwargs = {"creator": lambda: conectar_sqlite(ruta)}
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _al_conectar(dbapi_con, _registro):  # pragma: no cover - trivial
            configurar_sqlite(dbapi_con)

        @event.listens_for(engine, "begin")
        def _al_comenzar(conn):  # pragma: no cover - trivial
            # IMMEDIATE toma el bloqueo de escritura al empezar: dos escritores
            # concurrentes esperan (busy_timeout) en lugar de fallar al promover el bloqueo.
            if conn.get_execution_options().get("solo_lectura"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        _por_nombre("sqlite").anotar_usuario_so(engine)  # auditoría (0005), tras el BEGIN

    else:
        engine = create_engine(url, pool_pre_ping=False, connect_args=parametros_psycopg())
        _por_nombre("postgresql").anotar_usuario_so(engine)  # auditoría (0005)
    _motores[url] = engine
    return engine


def cerrar_motores() -> None:
    """Cierra todas las conexiones abiertas (útil en pruebas y antes de borrar una base)."""
    for engine in _motores.values():
        engine.dispose()
    _motores.clear()


def _preparar(destino: "Objetivo | str | Engine", crear: bool) -> tuple["Engine", Objetivo | None]:
    if isinstance(destino, (str, Objetivo)):
        objetivo = como_objetivo(destino)
        if crear:
            objetivo.preparar_creacion()
        else:
            objetivo.exigir_existente()
        return crear_motor(objetivo), objetivo
    return destino, None


@contextmanager
def transaccion(
    destino: "Objetivo | str | Engine", solo_lectura: bool = False, crear: bool = False
) -> Iterator["Session"]:
    """Una unidad de trabajo: una sesión en una transacción; commit al salir, rollback si falla.

    Todo comando que modifica datos corre dentro de una sola llamada a ``transaccion``.
    ``crear`` (solo ``db migrate``, ``seed``, ``db restore``): una base SQLite que no existe
    se crea; sin él, se rechaza con un mensaje que dice cómo crearla.
    """
    from sqlalchemy.orm import Session

    engine, objetivo = _preparar(destino, crear)
    bind = engine.execution_options(solo_lectura=True) if solo_lectura else engine
    with Session(bind=bind, expire_on_commit=False) as sesion:
        try:
            with traducir_errores(objetivo or engine):
                yield sesion
                if not solo_lectura:
                    with _en_commit():
                        sesion.commit()
                # Solo lectura: al cerrar, la conexión vuelve al pool con rollback, pero los
                # objetos ya leídos siguen usables (rollback() los expiraría).
        except BaseException:
            _deshacer(sesion.rollback)
            raise


@contextmanager
def conexion(
    destino: "Objetivo | str | Engine", solo_lectura: bool = False, crear: bool = False,
    estable: bool = False,
) -> Iterator["Connection"]:
    """Una conexión Core en una transacción (commit al salir, rollback si falla).

    ``estable``: todas las lecturas de la transacción ven la misma instantánea (el nivel de
    aislamiento de ``dialecto.opciones_estables``, fijado en la conexión antes del BEGIN)."""
    from amauta_cli.dialecto import por_nombre

    engine, objetivo = _preparar(destino, crear)
    if solo_lectura:
        engine = engine.execution_options(solo_lectura=True)
    with traducir_errores(objetivo or engine):
        with engine.connect() as con:
            if estable and (opciones := por_nombre(con.dialect.name).opciones_estables):
                con.execution_options(**opciones)
            trans = con.begin()
            try:
                yield con
            except BaseException:
                _deshacer(trans.rollback)
                raise
            with _en_commit():
                trans.commit()


@contextmanager
def _en_commit() -> Iterator[None]:
    """Marca la excepción ocurrida al confirmar: no se sabe si la transacción se guardó."""
    try:
        yield
    except BaseException as exc:
        from amauta_cli.fallas import marcar_en_commit

        marcar_en_commit(exc)
        raise


def _deshacer(rollback) -> None:
    """Rollback tras un error; si la conexión ya se perdió, el error que importa es el primero."""
    try:
        rollback()
    except Exception:  # noqa: BLE001 - la excepción original sigue su curso
        pass


# --- Errores de conexión ------------------------------------------------------------------
@contextmanager
def traducir_errores(destino: "Objetivo | str | Engine") -> Iterator[None]:
    """Convierte errores de conexión del driver en un ``ErrorConexion`` en español."""
    try:
        yield
    except AmautaError:
        raise
    except Exception as exc:  # noqa: BLE001 - se re-lanza si no es del entorno
        from amauta_cli.services.accesos import traducir_error

        # Primero los permisos y la seguridad por filas (credenciales de escuela).
        traducido = traducir_error(exc) or error_de_conexion(exc, destino)
        if traducido is None:
            raise
        raise traducido from exc


def _objetivo_de(destino: "Objetivo | str | Engine") -> Objetivo:
    if isinstance(destino, (str, Objetivo)):
        return como_objetivo(destino)
    return como_objetivo(destino.url.render_as_string(hide_password=False))


def error_de_conexion(exc: BaseException, destino: "Objetivo | str | Engine") -> AmautaError | None:
    """Un mensaje de un párrafo (URL enmascarada, host, puerto, qué probar), o None.

    Primero lo que impide conectarse a PostgreSQL (servidor caído, contraseña, base o usuario
    inexistentes); después, las fallas del entorno de ambos motores (``fallas``).
    """
    from amauta_cli import fallas

    objetivo = _objetivo_de(destino)
    orig = getattr(exc, "orig", None) or exc
    if objetivo.es_postgresql and type(orig).__module__.startswith("psycopg"):
        traducido = _error_al_conectar_pg(str(orig).lower(), objetivo)
        if traducido is not None:
            return traducido
    return fallas.traducir(exc, objetivo)


def _error_al_conectar_pg(texto: str, objetivo: Objetivo) -> ErrorConexion | None:
    d = datos_conexion(objetivo)
    donde = objetivo.url_enmascarada
    servidor = f"el servidor PostgreSQL en {d.host}:{d.puerto}"
    if "password authentication failed" in texto or "no password supplied" in texto:
        return ErrorConexion(
            f"{servidor} rechazó la contraseña del usuario '{d.usuario}' ({donde}). "
            "Revise la contraseña en AMAUTA_DATABASE_URL o en PGPASSWORD / ~/.pgpass; "
            "no la escriba en la línea de comandos."
        )
    if "does not exist" in texto and "database" in texto and "connection failed" in texto:
        return ErrorConexion(
            f"La base de datos '{d.base}' no existe en {servidor} ({donde}). "
            f"Créela con `createdb -h {d.host} -p {d.puerto} {d.base}` "
            "o corrija el nombre en la URL."
        )
    if "role" in texto and "does not exist" in texto and "connection failed" in texto:
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
