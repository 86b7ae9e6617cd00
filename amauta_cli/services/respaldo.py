"""Respaldos y restauraciones verificados, en PostgreSQL y SQLite.

``amauta db backup|backups|verificar-backup|restore`` (y el respaldo de seguridad de
``amauta db rollback``) llaman a estas funciones. No imprimen: devuelven datos o lanzan
``AmautaError`` con mensajes en español.

- PostgreSQL: ``pg_dump`` (custom por defecto, o SQL plano) con ``--no-owner
  --no-privileges``, sobre una instantánea exportada (``pg_export_snapshot``) de la
  misma transacción en la que se cuentan las filas: el manifiesto describe exactamente
  lo que quedó en el archivo. La conexión pasa a las herramientas por variables de
  entorno (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD...), nunca por argv.
- SQLite: la API de respaldo en línea de SQLite (una instantánea consistente aunque
  otros sigan escribiendo), comprimida con gzip.
- Junto a cada respaldo, un manifiesto JSON (``<archivo>.json``).
- Restaurar en PostgreSQL es una sola transacción: amauta le pasa a ``psql`` (con
  ``ON_ERROR_STOP``) ``BEGIN``, el borrado del contenido actual, el volcado y, solo si
  todo lo anterior salió bien, ``COMMIT``. Si el proceso muere a mitad de camino,
  ``psql`` recibe fin de archivo sin ``COMMIT`` y el servidor deshace todo.
  En SQLite se escribe un archivo nuevo junto al destino y se reemplaza con
  ``os.replace``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterator

from amauta_cli import __version__
from amauta_cli.db import (
    conexion,
    crear_motor,
    datos_conexion,
    enmascarar_texto,
    enmascarar_url,
    motor_de_url,
    ruta_sqlite,
    traducir_errores,
)
from amauta_cli.errores import AmautaError, DatosInvalidos, NoEncontrado, OperacionRechazada

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

TIPO_MANIFIESTO = "amauta-respaldo"
VERSION_MANIFIESTO = 1
FORMATOS_PG = ("custom", "sql")
EXTENSIONES = {"custom": ".dump", "sql": ".sql", "sqlite": ".db.gz"}
#: Nombre de los respaldos de amauta: ``amauta-AAAAMMDD-HHMMSS[-motivo].<ext>``.
PATRON_NOMBRE = re.compile(r"^amauta-\d{8}-\d{6}")
#: Pie que ``pg_dump`` escribe al final de un volcado SQL completo.
PIE_SQL = b"PostgreSQL database dump complete"
BLOQUE = 1 << 20

#: ``progreso(descripcion, total)`` → administrador de contexto que da ``avanzar(n)``.
Progreso = Callable[[str, "int | None"], ContextManager[Callable[[int], None]]]


@contextmanager
def sin_progreso(_descripcion: str, _total: int | None = None) -> Iterator[Callable[[int], None]]:
    yield lambda _n=1: None


# --- Ajustes y rutas ------------------------------------------------------------------------
AJUSTES_POR_DEFECTO: dict[str, Any] = {
    # Carpeta de los respaldos ("" = $XDG_DATA_HOME/amauta/respaldos).
    "directorio": "",
    # Formato de pg_dump por defecto: custom o sql.
    "formato": "custom",
    # Respaldos a conservar por base tras cada `amauta db backup` (0 = todos).
    "conservar": 0,
}


def ajustes() -> dict[str, Any]:
    from amauta_cli.ajustes import ruta_ajustes, seccion

    a = seccion("respaldos", AJUSTES_POR_DEFECTO)
    if a["formato"] not in FORMATOS_PG:
        raise DatosInvalidos(
            f"{ruta_ajustes()}: respaldos.formato vale '{a['formato']}'; "
            f"los valores válidos son {', '.join(FORMATOS_PG)}."
        )
    if a["conservar"] < 0:
        raise DatosInvalidos(f"{ruta_ajustes()}: respaldos.conservar debe ser 0 o mayor.")
    return a


def directorio_respaldos() -> Path:
    """La carpeta de respaldos: ``respaldos.directorio`` o ``$XDG_DATA_HOME/amauta/respaldos``."""
    d = ajustes()["directorio"]
    if d:
        return Path(d).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "amauta" / "respaldos"


def ruta_manifiesto(archivo: Path) -> Path:
    return archivo.with_name(archivo.name + ".json")


def _ahora() -> datetime:
    return datetime.now().astimezone()


def _nuevo_nombre(carpeta: Path, extension: str, motivo: str | None) -> Path:
    base = f"amauta-{_ahora():%Y%m%d-%H%M%S}" + (f"-{motivo}" if motivo else "")
    ruta, n = carpeta / f"{base}{extension}", 2
    while ruta.exists() or ruta_manifiesto(ruta).exists():
        ruta, n = carpeta / f"{base}-{n}{extension}", n + 1
    return ruta


def _crear_carpeta(carpeta: Path) -> None:
    try:
        carpeta.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as e:
        raise DatosInvalidos(f"No se pudo crear la carpeta de respaldos {carpeta}: {e.strerror}.") from None


def ruta_destino(
    salida: str | Path | None, motor: str, formato: str, motivo: str | None = None
) -> Path:
    """El archivo a escribir: ``salida`` si es un archivo, o un nombre nuevo en la carpeta
    (``salida`` es una carpeta si existe como tal o termina en ``/``)."""
    extension = EXTENSIONES["sqlite" if motor == "sqlite" else formato]
    es_carpeta = salida is not None and str(salida).endswith(("/", os.sep))
    salida = Path(salida).expanduser() if salida is not None else None
    if salida is None:
        carpeta = directorio_respaldos()
    elif es_carpeta or salida.is_dir():
        carpeta = salida
    else:
        if salida.exists() or ruta_manifiesto(salida).exists():
            raise DatosInvalidos(
                f"--salida: {salida} ya existe; amauta no sobrescribe respaldos. "
                "Elija otro nombre o indique una carpeta."
            )
        _crear_carpeta(salida.parent)
        return salida
    _crear_carpeta(carpeta)
    return _nuevo_nombre(carpeta, extension, motivo)


# --- Archivos con SHA-256 --------------------------------------------------------------------
class _Escritor:
    """Escribe un archivo nuevo (``<ruta>.parcial``, modo 600) calculando su SHA-256 y tamaño.

    ``cerrar()`` lo vuelca a disco y lo renombra a ``ruta``: un respaldo a medias nunca
    tiene el nombre definitivo.
    """

    def __init__(self, ruta: Path):
        self.ruta = ruta
        self.parcial = ruta.with_name(f".{ruta.name}.parcial")
        fd = os.open(self.parcial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._f = os.fdopen(fd, "wb", buffering=0)
        self._h = hashlib.sha256()
        self.tamano = 0

    def write(self, datos: bytes) -> int:
        self._f.write(datos)
        self._h.update(datos)
        self.tamano += len(datos)
        return len(datos)

    def flush(self) -> None:  # para gzip.GzipFile
        pass

    @property
    def sha256(self) -> str:
        return self._h.hexdigest()

    def cerrar(self) -> None:
        os.fsync(self._f.fileno())
        self._f.close()
        os.replace(self.parcial, self.ruta)
        _fsync_carpeta(self.ruta.parent)

    def descartar(self) -> None:
        try:
            self._f.close()
        finally:
            self.parcial.unlink(missing_ok=True)


def _fsync_carpeta(carpeta: Path) -> None:
    try:
        fd = os.open(carpeta, os.O_RDONLY)
    except OSError:  # pragma: no cover - p. ej. sistemas sin O_RDONLY sobre carpetas
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def sha256_de(archivo: Path) -> str:
    h = hashlib.sha256()
    with open(archivo, "rb") as f:
        while bloque := f.read(BLOQUE):
            h.update(bloque)
    return h.hexdigest()


def _escribir_json(ruta: Path, datos: dict[str, Any]) -> None:
    parcial = ruta.with_name(f".{ruta.name}.parcial")
    fd = os.open(parcial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(datos, f, ensure_ascii=False, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(parcial, ruta)
    _fsync_carpeta(ruta.parent)


# --- Herramientas de PostgreSQL --------------------------------------------------------------
@dataclass(frozen=True)
class Herramienta:
    ruta: str
    mayor: int
    texto: str


@lru_cache(maxsize=None)
def _version_herramienta(ruta: str) -> Herramienta | None:
    try:
        r = subprocess.run([ruta, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\)\s*(\d+)(?:\.(\d+))?", r.stdout) or re.search(r"(\d+)(?:\.(\d+))?", r.stdout)
    if r.returncode != 0 or not m:
        return None
    return Herramienta(ruta, int(m.group(1)), r.stdout.strip())


def _candidatas(nombre: str) -> list[str]:
    """Dónde buscar ``nombre``: ``AMAUTA_PG_BIN`` si está definida; si no, el PATH y las
    carpetas habituales de los paquetes (``/usr/lib/postgresql/NN/bin``, ``/usr/pgsql-NN/bin``)."""
    import glob

    propia = os.environ.get("AMAUTA_PG_BIN")
    if propia:
        return [str(Path(propia).expanduser() / nombre)]
    def numero(p: str) -> int:
        m = re.search(r"(\d+)", p.rsplit("postgresql", 1)[-1].rsplit("pgsql-", 1)[-1])
        return int(m.group(1)) if m else 0

    extra = glob.glob(f"/usr/lib/postgresql/*/bin/{nombre}") + glob.glob(f"/usr/pgsql-*/bin/{nombre}")
    extra.sort(key=numero, reverse=True)
    en_path = shutil.which(nombre)
    if en_path and os.path.realpath(en_path).endswith("pg_wrapper"):
        # Debian/Ubuntu: /usr/bin/pg_dump es un script que elige la versión más nueva de
        # /usr/lib/postgresql/NN/bin; se llama directo a esa (cada arranque del script cuesta).
        return extra + [en_path]
    return ([en_path] if en_path else []) + extra


def herramienta(nombre: str, mayor_servidor: int) -> Herramienta:
    """``pg_dump``, ``pg_restore`` o ``psql`` de versión mayor ≥ la del servidor, o un error
    que dice qué paquete instalar."""
    vistas: list[Herramienta] = []
    for ruta in _candidatas(nombre):
        h = _version_herramienta(ruta)
        if h is None:
            continue
        if h.mayor >= mayor_servidor:
            return h
        vistas.append(h)
    if mayor_servidor:
        instalar = (
            f"Instale el cliente de PostgreSQL {mayor_servidor} o posterior (en Debian/Ubuntu: "
            f"`sudo apt install postgresql-client-{mayor_servidor}`; en otros sistemas, el "
            f"paquete de cliente de PostgreSQL {mayor_servidor}) o indique la carpeta de sus "
            "programas en AMAUTA_PG_BIN."
        )
    else:
        instalar = (
            "Instale el cliente de PostgreSQL (en Debian/Ubuntu: `sudo apt install "
            "postgresql-client`) o indique la carpeta de sus programas en AMAUTA_PG_BIN."
        )
    if not vistas:
        donde = (
            f"en AMAUTA_PG_BIN ({os.environ['AMAUTA_PG_BIN']})"
            if os.environ.get("AMAUTA_PG_BIN")
            else "en el PATH"
        )
        raise AmautaError(f"No se encontró `{nombre}` {donde}. {instalar}")
    h = vistas[0]
    raise AmautaError(
        f"`{h.ruta}` es de PostgreSQL {h.mayor} y el servidor es PostgreSQL {mayor_servidor}: "
        f"{nombre} no puede trabajar con un servidor más nuevo que él. {instalar}"
    )


#: Parámetros de libpq y la variable de entorno equivalente.
_VARIABLES_LIBPQ = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "dbname": "PGDATABASE",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "krbsrvname": "PGKRBSRVNAME",
}


def parametros_pg(url: str) -> dict[str, str]:
    """Los parámetros de libpq de una URL ``postgresql://`` (sin importar SQLAlchemy)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    partes = urlsplit(url)
    params: dict[str, str] = {}
    for clave, valor in (
        ("host", partes.hostname),
        ("port", str(partes.port) if partes.port else None),
        ("user", unquote(partes.username) if partes.username else None),
        ("password", unquote(partes.password) if partes.password else None),
        ("dbname", unquote(partes.path.lstrip("/")) if partes.path.lstrip("/") else None),
    ):
        if valor:
            params[clave] = valor
    for clave, valor in parse_qsl(partes.query):
        if clave in _VARIABLES_LIBPQ and valor:
            params[clave] = valor
    return params


def entorno_pg(url: str, aplicacion: str = "amauta") -> dict[str, str]:
    """Las variables de entorno con las que ``pg_dump``/``pg_restore``/``psql`` se conectan
    a la base de ``url``. La contraseña va en PGPASSWORD: nunca en argv. Lo que la URL no
    dice queda como en el entorno del usuario (PGPASSWORD, ~/.pgpass...), igual que para
    la conexión de amauta."""
    env = dict(os.environ)
    for clave, valor in parametros_pg(url).items():
        env[_VARIABLES_LIBPQ[clave]] = valor
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    env["PGAPPNAME"] = aplicacion
    return env


def _mayor_servidor(con: "Connection") -> tuple[str, int]:
    from sqlalchemy import text

    version = str(con.execute(text("SHOW server_version")).scalar())
    numero = int(con.execute(text("SHOW server_version_num")).scalar())
    return version, numero // 10000


class _Lector(threading.Thread):
    """Lee la salida de error de un proceso: las líneas de progreso y las últimas líneas."""

    def __init__(self, flujo, al_leer: Callable[[str], bool] | None = None):
        super().__init__(daemon=True)
        self.flujo = flujo
        self.al_leer = al_leer
        self.ultimas: deque[str] = deque(maxlen=30)

    def run(self) -> None:
        for crudo in iter(self.flujo.readline, b""):
            linea = crudo.decode("utf-8", "replace").rstrip()
            if self.al_leer is not None and self.al_leer(linea):
                continue
            if linea:
                self.ultimas.append(linea)

    def texto(self, url: str) -> list[str]:
        return [enmascarar_texto(lin, url) for lin in self.ultimas]


def _terminar(*procesos: subprocess.Popen | None) -> None:
    for p in procesos:
        if p is not None and p.poll() is None:
            p.kill()
    for p in procesos:
        if p is not None:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass


# --- Resultado de un respaldo -------------------------------------------------------------------
@dataclass
class ResultadoRespaldo:
    archivo: Path
    manifiesto: dict[str, Any]
    duracion: float
    borrados: list[Path] = field(default_factory=list)

    @property
    def tablas(self) -> int:
        return len(self.manifiesto["tablas"])

    @property
    def filas(self) -> int:
        return int(sum(self.manifiesto["tablas"].values()))

    @property
    def tamano(self) -> int:
        return int(self.manifiesto["tamano"])


def tiene_datos(url: str) -> bool:
    """¿Alguna tabla (salvo ``alembic_version``) tiene filas? Una base SQLite inexistente, no."""
    if motor_de_url(url) == "sqlite":
        ruta = ruta_sqlite(url)
        if ruta is None or not ruta.exists():
            return False
    from amauta_cli.services.esquema import contar_filas

    with conexion(url, solo_lectura=True) as con:
        return any(contar_filas(con).values())


def respaldar(
    url: str,
    salida: str | Path | None = None,
    formato: str | None = None,
    motivo: str | None = None,
    progreso: Progreso = sin_progreso,
) -> ResultadoRespaldo:
    """Escribe un respaldo de ``url`` y su manifiesto. Devuelve el archivo y el manifiesto."""
    motor = motor_de_url(url)
    if formato is None and salida is not None and str(salida).endswith(".sql"):
        formato = "sql"
    if motor == "sqlite":
        if formato not in (None, "custom"):
            raise DatosInvalidos(
                "--formato sql es solo para PostgreSQL: en SQLite el respaldo es siempre una "
                "copia comprimida de la base (.db.gz)."
            )
        formato = "sqlite"
    elif motor == "postgresql":
        formato = formato or ajustes()["formato"]
        if formato not in FORMATOS_PG:
            raise DatosInvalidos(
                f"--formato: '{formato}' no es válido (valores: {', '.join(FORMATOS_PG)})."
            )
    else:  # pragma: no cover - crear_motor ya lo rechaza
        raise AmautaError(f"Motor no soportado para respaldos: {motor}.")
    destino = ruta_destino(salida, motor, formato, motivo)
    inicio = _ahora()
    t0 = time.perf_counter()
    if motor == "postgresql":
        datos = _respaldar_pg(url, destino, formato, progreso)
    else:
        datos = _respaldar_sqlite(url, destino, progreso)
    fin = _ahora()
    d = datos_conexion(url)
    manifiesto = {
        "tipo": TIPO_MANIFIESTO,
        "version_manifiesto": VERSION_MANIFIESTO,
        "archivo": destino.name,
        "motor": motor,
        "formato": formato,
        "base": d.base if motor == "postgresql" else str(ruta_sqlite(url)),
        "servidor": f"{d.host}:{d.puerto}" if motor == "postgresql" else None,
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
        _escribir_json(ruta_manifiesto(destino), manifiesto)
    except BaseException:
        destino.unlink(missing_ok=True)  # un respaldo sin manifiesto no se puede verificar
        raise
    return ResultadoRespaldo(destino, manifiesto, time.perf_counter() - t0)


class _SesionPsql:
    """Una sesión de ``psql`` (salida sin alinear, una fila por consulta) para hablar con
    el servidor sin importar psycopg ni SQLAlchemy: arrancar amauta cuesta, y ese tiempo
    se suma al de ``pg_dump`` (objetivo: no más de un 15 % por encima)."""

    def __init__(self, url: str, aplicacion: str):
        self.url = url
        psql = herramienta("psql", 0)
        self.proc = subprocess.Popen(
            [psql.ruta, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=entorno_pg(url, aplicacion),
        )
        self.errores = _Lector(self.proc.stderr)
        self.errores.start()

    def valor(self, sql: str) -> str:
        """El valor (una fila, una columna) de ``sql``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(sql.encode() + b";\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        linea = self.proc.stdout.readline()
        if not linea:
            self.proc.wait()
            self.errores.join()
            texto = " ".join(self.errores.ultimas).lower()
            if "connection" in texto or "could not" in texto or "password" in texto:
                # El mismo mensaje en español que en cualquier otro comando.
                with conexion(self.url, solo_lectura=True):
                    pass
            raise AmautaError(
                "No se pudo consultar la base para el respaldo.", self.errores.texto(self.url)
            )
        return linea.decode("utf-8").rstrip("\n")

    def cerrar(self) -> None:
        """Fin de la entrada: psql termina y la transacción (de solo lectura) se cierra."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        _terminar(self.proc)


def _respaldar_pg(url: str, destino: Path, formato: str, progreso: Progreso) -> dict[str, Any]:
    """pg_dump sobre una instantánea exportada; las filas se cuentan en esa misma instantánea."""
    sesion = _SesionPsql(url, "amauta-backup")
    proc = None
    escritor = None
    try:
        sesion.valor("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1")
        datos = json.loads(
            sesion.valor(
                "SELECT json_build_object('version', current_setting('server_version'), "
                "'numero', current_setting('server_version_num')::int, "
                "'instantanea', pg_export_snapshot(), "
                "'tablas', (SELECT coalesce(json_agg(c.relname ORDER BY c.relname), '[]') "
                "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                "AND NOT c.relispartition))"
            )
        )
        version = datos["version"]
        pg_dump = herramienta("pg_dump", datos["numero"] // 10000)
        tablas_sql: list[str] = datos["tablas"]
        cmd = [
            pg_dump.ruta,
            f"--format={'custom' if formato == 'custom' else 'plain'}",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={datos['instantanea']}",
            "--verbose",
        ]
        escritor = _Escritor(destino)
        with progreso("Respaldando (pg_dump)", len(tablas_sql)) as avanzar:

            def al_leer(linea: str) -> bool:
                if "dumping contents of table" in linea:
                    avanzar(1)
                # Las líneas de --verbose no son errores: no se guardan.
                return linea.startswith("pg_dump: ") and not re.match(
                    r"pg_dump: (error|warning|detail|hint|fatal)", linea, re.I
                )

            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=entorno_pg(url, "amauta-backup"),
            )
            errores = _Lector(proc.stderr, al_leer)
            errores.start()
            copia = threading.Thread(target=_copiar, args=(proc.stdout, escritor.write), daemon=True)
            copia.start()
            # Mientras pg_dump escribe, la misma instantánea da filas, revisión y entorno.
            contadas = [t for t in tablas_sql if t != "alembic_version"]
            conteo = " UNION ALL ".join(
                f"SELECT {_literal(t)} AS t, count(*) AS n FROM {_ident(t)}" for t in contadas
            )
            resumen = json.loads(
                sesion.valor(
                    "SELECT json_build_object("
                    + (f"'tablas', (SELECT json_object_agg(t, n) FROM ({conteo}) c), " if contadas else "")
                    + (
                        "'revision', (SELECT version_num FROM alembic_version LIMIT 1), "
                        if "alembic_version" in tablas_sql
                        else ""
                    )
                    + (
                        "'entorno', (SELECT valor FROM \"_amauta_meta\" WHERE clave = 'entorno'), "
                        if "_amauta_meta" in tablas_sql
                        else ""
                    )
                    + "'fin', true)"
                )
            )
            copia.join()
            codigo = proc.wait()
            errores.join()
        if codigo != 0 or getattr(copia, "error", None):
            raise AmautaError(
                f"pg_dump falló (código {codigo}); no se escribió ningún respaldo.",
                errores.texto(url) or [str(getattr(copia, "error", ""))],
            )
        escritor.cerrar()
    except BaseException:
        _terminar(proc)
        if escritor is not None:
            escritor.descartar()
        raise
    finally:
        sesion.cerrar()
    return {
        "version_servidor": version,
        "herramienta": pg_dump.texto,
        "revision": resumen.get("revision"),
        "entorno": resumen.get("entorno"),
        "tablas": {t: int((resumen.get("tablas") or {})[t]) for t in contadas},
        "sha256": escritor.sha256,
        "tamano": escritor.tamano,
    }


def _copiar(origen, escribir: Callable[[bytes], Any]) -> None:
    hilo = threading.current_thread()
    try:
        fd = origen.fileno()
        while bloque := os.read(fd, BLOQUE):
            escribir(bloque)
    except BaseException as e:  # noqa: BLE001 - se informa desde el hilo principal
        hilo.error = e  # type: ignore[attr-defined]
        origen.close()


def _motor_archivo(ruta: Path):
    """Un motor SQLAlchemy sin caché ni pool para un archivo SQLite de trabajo."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(f"sqlite:///{ruta}", poolclass=NullPool)


def _describir_sqlite(ruta: Path) -> dict[str, Any]:
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


def _respaldar_sqlite(url: str, destino: Path, progreso: Progreso) -> dict[str, Any]:
    origen = ruta_sqlite(url)
    if origen is None or not origen.is_file():
        raise NoEncontrado(f"La base SQLite {origen or url} no existe: no hay nada que respaldar.")
    copia = destino.with_name(f".{destino.name}.{os.getpid()}.copia")
    escritor = None
    try:
        with progreso("Respaldando (SQLite)", None):
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
            datos = _describir_sqlite(copia)
            escritor = _Escritor(destino)
            with open(copia, "rb") as f, gzip.GzipFile(
                filename=destino.name.removesuffix(".gz"), mode="wb", fileobj=escritor, compresslevel=6
            ) as gz:
                shutil.copyfileobj(f, gz, BLOQUE)
            escritor.cerrar()
    except BaseException:
        if escritor is not None:
            escritor.descartar()
        raise
    finally:
        copia.unlink(missing_ok=True)
    datos.update(herramienta=None, sha256=escritor.sha256, tamano=escritor.tamano)
    return datos


# --- Manifiestos, listado y conservación ------------------------------------------------------
def leer_manifiesto(archivo: Path) -> dict[str, Any] | None:
    """El manifiesto de ``archivo`` (None si no tiene). Un manifiesto ilegible es un error."""
    ruta = ruta_manifiesto(archivo)
    if not ruta.is_file():
        return None
    try:
        datos = json.loads(ruta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DatosInvalidos(f"El manifiesto {ruta} no se puede leer ({e}): está dañado.") from None
    faltan = [
        k for k in ("motor", "tablas", "sha256", "tamano", "revision", "inicio") if k not in datos
    ] if isinstance(datos, dict) else ["todo"]
    if not isinstance(datos, dict) or datos.get("tipo") != TIPO_MANIFIESTO or faltan:
        raise DatosInvalidos(
            f"{ruta} no es un manifiesto de respaldo de amauta válido"
            + (f" (faltan: {', '.join(faltan)})." if faltan and faltan != ["todo"] else ".")
        )
    return datos


def _manifiestos(carpeta: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(archivo, manifiesto) de cada respaldo de amauta de la carpeta, el más nuevo primero."""
    encontrados = []
    for m in carpeta.glob("*.json"):
        if m.name.startswith("."):
            continue
        archivo = m.with_name(m.name.removesuffix(".json"))
        try:
            datos = leer_manifiesto(archivo)
        except DatosInvalidos:
            continue
        if datos is not None:
            encontrados.append((archivo, datos))
    encontrados.sort(key=lambda par: (str(par[1].get("inicio")), par[0].name), reverse=True)
    return encontrados


def listar(carpeta: Path | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Los respaldos de amauta de ``carpeta`` con los datos de su manifiesto, el más nuevo primero."""
    explicita = carpeta is not None
    carpeta = carpeta or directorio_respaldos()
    if not carpeta.is_dir():
        if explicita:
            raise NoEncontrado(f"La carpeta {carpeta} no existe.")
        return carpeta, []
    filas = []
    for archivo, m in _manifiestos(carpeta):
        if not archivo.is_file():
            estado = "falta el archivo"
        elif archivo.stat().st_size != m["tamano"]:
            estado = "incompleto"
        else:
            estado = "ok"
        filas.append(
            {
                "archivo": archivo.name,
                "ruta": str(archivo),
                "inicio": m.get("inicio"),
                "fin": m.get("fin"),
                "motor": m.get("motor"),
                "base": m.get("base"),
                "formato": m.get("formato"),
                "revision": m.get("revision"),
                "tablas": len(m.get("tablas") or {}),
                "filas": m.get("filas", sum((m.get("tablas") or {}).values())),
                "tamano": m.get("tamano"),
                "tamano_legible": tamano_legible(m.get("tamano") or 0),
                "sha256": m.get("sha256"),
                "motivo": m.get("motivo"),
                "version_amauta": m.get("version_amauta"),
                "estado": estado,
            }
        )
    return carpeta, filas


def conservar(carpeta: Path, n: int, referencia: dict[str, Any]) -> list[Path]:
    """Borra los respaldos de amauta de la misma base que ``referencia`` más viejos que los ``n``
    más nuevos. Solo toca archivos con manifiesto de amauta. Devuelve los borrados."""
    if n < 1:
        raise DatosInvalidos("--conservar debe ser 1 o mayor.")
    propios = [
        (a, m)
        for a, m in _manifiestos(carpeta)
        if m.get("motor") == referencia["motor"] and m.get("base") == referencia["base"]
    ]
    borrados = []
    for archivo, _m in propios[n:]:
        archivo.unlink(missing_ok=True)
        ruta_manifiesto(archivo).unlink(missing_ok=True)
        borrados.append(archivo)
    return borrados


def cantidad(n: int, palabra: str) -> str:
    """``1 fila``, ``2 filas``."""
    return f"{n} {palabra}" + ("" if n == 1 else "s")


def tamano_legible(n: int) -> str:
    valor = float(n)
    for unidad in ("B", "KB", "MB", "GB"):
        if valor < 1024 or unidad == "GB":
            return f"{valor:.0f} {unidad}" if unidad == "B" else f"{valor:.1f} {unidad}"
        valor /= 1024
    return f"{valor:.1f} TB"  # pragma: no cover


# --- Inspección de un archivo de respaldo ---------------------------------------------------------
@dataclass
class Inspeccion:
    archivo: Path
    manifiesto: dict[str, Any] | None
    #: custom | sql | sql.gz (PostgreSQL) · sqlite.gz | sqlite (SQLite)
    formato: str
    tamano: int

    @property
    def motor(self) -> str:
        return "sqlite" if self.formato.startswith("sqlite") else "postgresql"


def detectar_formato(archivo: Path) -> str:
    """El formato por el contenido del archivo (no por su nombre)."""
    with open(archivo, "rb") as f:
        cabeza = f.read(4096)
        f.seek(257)
        tar = f.read(5)
    if cabeza.startswith(b"PGDMP"):
        return "custom"
    if cabeza.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if cabeza.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(archivo, "rb") as g:
                interior = g.read(4096)
        except (OSError, EOFError):
            raise DatosInvalidos(f"{archivo} está dañado: no se puede descomprimir.") from None
        if interior.startswith(b"SQLite format 3\x00"):
            return "sqlite.gz"
        if _parece_sql(interior):
            return "sql.gz"
    elif tar == b"ustar":
        raise DatosInvalidos(
            f"{archivo} es un volcado de pg_dump en formato tar, que amauta no restaura: "
            "use `pg_restore` directamente, o haga el respaldo con `amauta db backup`."
        )
    elif _parece_sql(cabeza):
        return "sql"
    raise DatosInvalidos(
        f"{archivo} no es un respaldo que amauta reconozca: se esperaba un volcado de pg_dump "
        "(custom o SQL) o una base SQLite (.db o .db.gz)."
    )


def _parece_sql(cabeza: bytes) -> bool:
    texto = cabeza.lstrip(b"\xef\xbb\xbf").lstrip()
    return b"PostgreSQL database dump" in cabeza or texto.startswith(
        (b"--", b"SET ", b"CREATE ", b"BEGIN", b"\\restrict", b"SELECT ")
    )


def _termina_completo_sql(archivo: Path, comprimido: bool) -> bool:
    """¿El volcado SQL termina con el pie que pg_dump escribe al terminar?"""
    if comprimido:
        cola = b""
        try:
            with gzip.open(archivo, "rb") as g:
                while bloque := g.read(BLOQUE):
                    cola = (cola + bloque)[-4096:]
        except (OSError, EOFError):
            return False
    else:
        with open(archivo, "rb") as f:
            f.seek(max(0, archivo.stat().st_size - 4096))
            cola = f.read()
    return PIE_SQL in cola


def inspeccionar(archivo: Path, exigir_manifiesto: bool = True) -> Inspeccion:
    """Comprueba un respaldo sin tocar ninguna base: existe, está completo, su SHA-256
    coincide con el manifiesto y se reconoce su formato."""
    archivo = Path(archivo).expanduser()
    if not archivo.is_file():
        raise NoEncontrado(f"El respaldo {archivo} no existe.")
    manifiesto = leer_manifiesto(archivo)
    tamano = archivo.stat().st_size
    if manifiesto is None and exigir_manifiesto and PATRON_NOMBRE.match(archivo.name):
        raise DatosInvalidos(
            f"Falta el manifiesto {ruta_manifiesto(archivo).name} del respaldo {archivo.name}: "
            "sin él no se puede comprobar que el archivo esté completo y sin daños. Copie el "
            "manifiesto junto al archivo, o agregue --sin-manifiesto si confía en el archivo."
        )
    if manifiesto is not None:
        if tamano != manifiesto["tamano"]:
            raise DatosInvalidos(
                f"El respaldo {archivo.name} está incompleto o fue modificado: mide {tamano} bytes "
                f"y su manifiesto dice {manifiesto['tamano']}. No se tocó ninguna base."
            )
        if sha256_de(archivo) != manifiesto["sha256"]:
            raise DatosInvalidos(
                f"El respaldo {archivo.name} está dañado: su SHA-256 no coincide con el del "
                "manifiesto. No se tocó ninguna base."
            )
    formato = detectar_formato(archivo)
    insp = Inspeccion(archivo, manifiesto, formato, tamano)
    if manifiesto is not None and manifiesto["motor"] != insp.motor:
        raise DatosInvalidos(
            f"El manifiesto de {archivo.name} dice {manifiesto['motor']} pero el archivo es de "
            f"{insp.motor}: no coinciden."
        )
    if manifiesto is None and formato in ("sql", "sql.gz"):
        if not _termina_completo_sql(archivo, formato == "sql.gz"):
            raise DatosInvalidos(
                f"El volcado SQL {archivo.name} está incompleto: no termina con la línea "
                f"'-- {PIE_SQL.decode()}' que pg_dump escribe al final. No se tocó ninguna base."
            )
    return insp


# --- Comparación con el manifiesto -----------------------------------------------------------------
@dataclass
class Comparacion:
    tabla: str
    esperado: int | None
    obtenido: int | None

    @property
    def ok(self) -> bool:
        return self.esperado == self.obtenido


@dataclass
class Verificacion:
    """Lo que se restauró comparado con el manifiesto."""

    archivo: Path
    con_manifiesto: bool
    revision_esperada: str | None
    revision_obtenida: str | None
    tablas: list[Comparacion]
    entorno_conservado: str | None = None

    @property
    def revision_ok(self) -> bool:
        return not self.con_manifiesto or self.revision_esperada == self.revision_obtenida

    @property
    def diferencias(self) -> list[str]:
        if not self.con_manifiesto:
            return []
        d = []
        if not self.revision_ok:
            d.append(
                f"revisión: el manifiesto dice {self.revision_esperada or 'ninguna'} y la base "
                f"restaurada tiene {self.revision_obtenida or 'ninguna'}"
            )
        for c in self.tablas:
            if not c.ok:
                d.append(
                    f"{c.tabla}: el manifiesto dice {_n(c.esperado)} filas y se restauraron "
                    f"{_n(c.obtenido)}"
                )
        return d

    @property
    def ok(self) -> bool:
        return not self.diferencias

    @property
    def filas(self) -> int:
        return sum(c.obtenido or 0 for c in self.tablas)


def _n(v: int | None) -> str:
    return "—" if v is None else str(v)


def _comparar(
    archivo: Path,
    manifiesto: dict[str, Any] | None,
    revision: str | None,
    tablas: dict[str, int],
    entorno_conservado: str | None = None,
) -> Verificacion:
    esperadas = dict((manifiesto or {}).get("tablas") or {})
    if manifiesto is not None and entorno_conservado and manifiesto.get("entorno") is None:
        if "_amauta_meta" in esperadas:
            esperadas["_amauta_meta"] += 1  # la marca de entorno del destino, conservada
    # Orden alfabético, las tablas propias de amauta (``_...``) al final.
    nombres = sorted(set(esperadas) | set(tablas), key=lambda t: (t.startswith("_"), t.lower()))
    comparaciones = [
        Comparacion(t, esperadas.get(t) if manifiesto else None, tablas.get(t)) for t in nombres
    ]
    return Verificacion(
        archivo,
        manifiesto is not None,
        (manifiesto or {}).get("revision"),
        revision,
        comparaciones,
        entorno_conservado,
    )


# --- Restaurar en PostgreSQL ----------------------------------------------------------------------
def _sql_limpiar_esquema(esquema: str) -> str:
    """Borra, dentro de la transacción de la restauración, todo lo que hay en ``esquema``
    (tablas, vistas, secuencias, tipos y funciones; no lo que pertenece a extensiones).
    El esquema en sí se conserva, con su dueño y sus permisos."""
    lit = _literal(esquema)
    # El esquema de archivo de amauta (db archivar) viaja en el respaldo y sus columnas usan
    # los tipos enum del esquema: se borra entero antes (el respaldo lo vuelve a crear).
    return f"""
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS archivo CASCADE;
DO $amauta$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT format('%I.%I', n.nspname, c.relname) AS nombre,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                          ELSE 'TABLE' END AS clase
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = {lit} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', r.clase, r.nombre);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure::text AS nombre
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = {lit}
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                        AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.nombre);
  END LOOP;
  FOR r IN
    SELECT format('%I.%I', n.nspname, t.typname) AS nombre
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = {lit} AND t.typtype IN ('e', 'd', 'r', 'm', 'c')
      AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c
                                WHERE c.oid = t.typrelid) = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::regclass
                        AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', r.nombre);
  END LOOP;
END
$amauta$;
RESET client_min_messages;
"""


def _literal(texto: str) -> str:
    return "'" + texto.replace("'", "''") + "'"


def _ident(texto: str) -> str:
    return '"' + texto.replace('"', '""') + '"'


MARCA_REVISION = "amauta-revision-desconocida"


def _sql_final(esquema: str, revisiones_conocidas: list[str] | None, entorno: str | None) -> str:
    """Comprobaciones y ajustes al final de la transacción de la restauración."""
    partes = []
    s = _ident(esquema)
    if revisiones_conocidas is not None:
        conocidas = ", ".join(_literal(r) for r in revisiones_conocidas)
        partes.append(f"""
DO $amauta$
DECLARE v text;
BEGIN
  IF pg_catalog.to_regclass({_literal(s + '.alembic_version')}) IS NOT NULL THEN
    SELECT version_num INTO v FROM {s}.alembic_version LIMIT 1;
    IF v IS NOT NULL AND v <> ALL (ARRAY[{conocidas}]::text[]) THEN
      RAISE EXCEPTION '{MARCA_REVISION}:%', v;
    END IF;
  END IF;
END
$amauta$;""")
    if entorno:
        partes.append(f"""
DO $amauta$
BEGIN
  IF pg_catalog.to_regclass({_literal(s + '."_amauta_meta"')}) IS NOT NULL THEN
    INSERT INTO {s}."_amauta_meta" (clave, valor, "updatedAt")
    VALUES ('entorno', {_literal(entorno)}, (pg_catalog.now() AT TIME ZONE 'UTC')::timestamp(3))
    ON CONFLICT (clave) DO UPDATE SET valor = EXCLUDED.valor, "updatedAt" = EXCLUDED."updatedAt"
    WHERE {s}."_amauta_meta".valor IS DISTINCT FROM EXCLUDED.valor;
  END IF;
END
$amauta$;""")
    return "\n".join(partes) + "\n"



def _lector_pg_restore(avanzar: Callable[[int], None]) -> Callable[[str], bool]:
    """Lee el stderr de ``pg_restore -v``: avanza el progreso por tabla y dice qué línea
    es solo informativa (``True``) y cuál es un error o aviso que hay que mostrar."""

    def al_leer(linea: str) -> bool:
        if "processing data for table" in linea:
            avanzar(1)
        return linea.startswith("pg_restore: ") and not re.match(
            r"pg_restore: (error|warning|detail|hint|fatal)", linea, re.I
        )

    return al_leer


def _restaurar_pg(
    url: str,
    insp: Inspeccion,
    previo: str = "",
    final: str = "",
    progreso: Progreso = sin_progreso,
    aplicacion: str = "amauta-restore",
    mayor: int | None = None,
) -> None:
    """Restaura ``insp`` en la base de ``url`` en UNA transacción de ``psql``.

    amauta alimenta la entrada de ``psql``: ``BEGIN``, ``previo``, el volcado (de
    ``pg_restore -f -`` o del archivo SQL), ``final`` y ``COMMIT``. El ``COMMIT`` se envía
    solo si todo lo anterior se leyó completo y ``pg_restore`` terminó bien; si algo falla
    o el proceso muere, ``psql`` llega al fin de su entrada sin ``COMMIT`` y el servidor
    deshace la transacción: la base queda como estaba.
    """
    if mayor is None:
        with conexion(url, solo_lectura=True) as con:
            _, mayor = _mayor_servidor(con)
    psql = herramienta("psql", mayor)
    pg_restore = herramienta("pg_restore", mayor) if insp.formato == "custom" else None
    env = entorno_pg(url, aplicacion)
    proc_psql = proc_pr = None
    n_tablas = len((insp.manifiesto or {}).get("tablas") or {}) or None
    try:
        proc_psql = subprocess.Popen(
            [psql.ruta, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        err_psql = _Lector(proc_psql.stderr)
        err_psql.start()
        entrada = proc_psql.stdin
        assert entrada is not None
        fd_entrada = entrada.fileno()

        def escribir(datos: bytes) -> None:
            vista = memoryview(datos)
            while vista:
                n = os.write(fd_entrada, vista)
                vista = vista[n:]

        completo = False
        try:
            # Los SET van dentro de la transacción (no en PGOPTIONS, que PgBouncer rechaza).
            escribir(f"BEGIN;\nSET client_min_messages = warning;\n{previo}\n".encode())
            if insp.formato == "custom":
                assert pg_restore is not None
                with progreso("Restaurando (pg_restore)", n_tablas) as avanzar:
                    al_leer = _lector_pg_restore(avanzar)

                    proc_pr = subprocess.Popen(
                        [pg_restore.ruta, "-f", "-", "--no-owner", "--no-privileges", "-v",
                         str(insp.archivo)],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env=env,
                    )
                    err_pr = _Lector(proc_pr.stderr, al_leer)
                    err_pr.start()
                    assert proc_pr.stdout is not None
                    fd = proc_pr.stdout.fileno()
                    while bloque := os.read(fd, BLOQUE):
                        escribir(bloque)
                    codigo_pr = proc_pr.wait()
                    err_pr.join()
                if codigo_pr != 0:
                    raise AmautaError(
                        f"pg_restore no pudo leer {insp.archivo.name} (código {codigo_pr}): "
                        "la restauración se deshizo y la base quedó como estaba.",
                        err_pr.texto(url),
                    )
            else:
                abrir = gzip.open if insp.formato == "sql.gz" else open
                with progreso("Restaurando (psql)", insp.tamano) as avanzar, abrir(
                    insp.archivo, "rb"
                ) as f:
                    crudo = getattr(f, "fileobj", None)
                    leido = 0
                    while bloque := f.read(BLOQUE):
                        escribir(bloque)
                        pos = crudo.tell() if crudo is not None else leido + len(bloque)
                        avanzar(pos - leido)
                        leido = pos
            # RESET ALL: los set_config(..., false) del volcado no sobreviven a la transacción
            # (detrás de PgBouncer en modo transacción quedarían en una conexión del pool).
            escribir(f"\n{final}\nRESET ALL;\nCOMMIT;\n".encode())
            completo = True
        except (BrokenPipeError, ConnectionResetError):
            pass  # psql terminó antes (un error con ON_ERROR_STOP): se informa abajo
        except (OSError, EOFError) as e:
            raise AmautaError(
                f"No se pudo leer {insp.archivo.name} ({e}): la restauración se deshizo y la "
                "base quedó como estaba."
            ) from None
        finally:
            try:
                entrada.close()
            except OSError:
                pass
        codigo = proc_psql.wait()
        err_psql.join()
        if codigo != 0 or not completo:
            lineas = err_psql.texto(url)
            marca = next((lin for lin in lineas if MARCA_REVISION in lin), None)
            if marca:
                rev = marca.rsplit(":", 1)[-1].strip()
                raise OperacionRechazada(_mensaje_revision_nueva(rev, despues=True))
            raise AmautaError(
                "La restauración falló y se deshizo: la base quedó como estaba.", lineas
            )
    except BaseException:
        _terminar(proc_pr, proc_psql)
        raise


@lru_cache(maxsize=1)
def revisiones_conocidas() -> tuple[str, ...]:
    """Las revisiones de amauta, de la más vieja a la más nueva (la última es head).

    Se leen con ``ast`` de ``migrations/versions`` en lugar de cargar Alembic (que importa
    SQLAlchemy y cada migración: ~0,3 s que se sumarían a cada restauración). Si la cadena
    no es lineal, se pregunta a Alembic.
    """
    import ast

    from amauta_cli.services.esquema import dir_migraciones

    anteriores: dict[str, object] = {}
    for archivo in sorted((dir_migraciones() / "versions").glob("*.py")):
        valores: dict[str, object] = {}
        for nodo in ast.parse(archivo.read_text(encoding="utf-8")).body:
            if isinstance(nodo, ast.Assign) and len(nodo.targets) == 1:
                destino, valor = nodo.targets[0], nodo.value
            elif isinstance(nodo, ast.AnnAssign) and nodo.value is not None:
                destino, valor = nodo.target, nodo.value
            else:
                continue
            if isinstance(destino, ast.Name) and destino.id in ("revision", "down_revision"):
                try:
                    valores[destino.id] = ast.literal_eval(valor)
                except ValueError:
                    valores[destino.id] = object()
        if isinstance(valores.get("revision"), str):
            anteriores[valores["revision"]] = valores.get("down_revision")
    siguiente = {abajo: rev for rev, abajo in anteriores.items() if isinstance(abajo, (str, type(None)))}
    orden: list[str] = []
    actual = siguiente.get(None)
    while actual is not None and len(orden) <= len(anteriores):
        orden.append(actual)
        actual = siguiente.get(actual)
    if len(orden) != len(anteriores) or len(siguiente) != len(anteriores):
        from amauta_cli.services.esquema import revisiones

        return tuple(s.revision for s in revisiones())
    return tuple(orden)


def _cabeza() -> str | None:
    revs = revisiones_conocidas()
    return revs[-1] if revs else None


def _mensaje_revision_nueva(rev: str, despues: bool = False) -> str:
    return (
        f"El respaldo está en la revisión de esquema '{rev}', más nueva que la que conoce esta "
        f"versión de amauta (última: '{_cabeza()}'). "
        + ("La restauración se deshizo y la base quedó como estaba. " if despues else "")
        + "Actualice amauta antes de restaurarlo, o agregue --forzar si sabe lo que hace."
    )


def _revision_conocida(rev: str | None) -> bool:
    return rev is None or rev in revisiones_conocidas()


# --- Restaurar en SQLite --------------------------------------------------------------------------
def _volcar_sqlite(insp: Inspeccion, destino: Path, progreso: Progreso) -> None:
    """Descomprime (o copia) el respaldo SQLite en ``destino`` y comprueba su integridad."""
    try:
        with progreso("Restaurando (SQLite)", insp.tamano) as avanzar, open(
            insp.archivo, "rb"
        ) as crudo, open(destino, "wb") as salida:
            origen = gzip.GzipFile(fileobj=crudo, mode="rb") if insp.formato == "sqlite.gz" else crudo
            leido = 0
            while bloque := origen.read(BLOQUE):
                salida.write(bloque)
                avanzar(crudo.tell() - leido)
                leido = crudo.tell()
            salida.flush()
            os.fsync(salida.fileno())
    except (OSError, EOFError) as e:
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


def _marcar_entorno_sqlite(ruta: Path, entorno_destino: str) -> None:
    from sqlalchemy import inspect

    from amauta_cli.services import entorno

    engine = _motor_archivo(ruta)
    try:
        with engine.begin() as con:
            if inspect(con).has_table("_amauta_meta") and entorno.leer(con) != entorno_destino:
                entorno.marcar(con, entorno_destino)
    finally:
        engine.dispose()


def _reemplazar_sqlite(nuevo: Path, destino: Path, espera: float = 15.0) -> None:
    """``os.replace(nuevo, destino)`` con el destino bloqueado y sin WAL pendiente.

    Cambiar el destino a ``journal_mode=DELETE`` vuelca su WAL y falla si otro proceso lo
    tiene abierto: así nunca queda un ``-wal`` viejo junto a la base nueva.
    """
    if not destino.exists():
        os.replace(nuevo, destino)
        _fsync_carpeta(destino.parent)
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
        _fsync_carpeta(destino.parent)
    finally:
        con.close()


def _limpiar_restos(destino: Path) -> None:
    """Borra archivos de restauraciones anteriores interrumpidas (de procesos ya muertos)."""
    for resto in destino.parent.glob(f".{destino.name}.restaurando-*"):
        try:
            pid = int(resto.name.rsplit("-", 1)[-1])
            os.kill(pid, 0)
        except ProcessLookupError:
            resto.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


# --- Restaurar: plan y ejecución --------------------------------------------------------------------
@dataclass
class PlanRestauracion:
    url: str
    inspeccion: Inspeccion
    #: Tablas del destino que tienen al menos una fila (sin contar ``alembic_version``).
    tablas_con_datos: list[str]
    produccion: bool
    #: La marca de entorno del destino, que se conserva tras restaurar.
    entorno_destino: str | None
    forzar: bool
    #: PostgreSQL: esquema actual del destino, versión mayor del servidor, y si se puede
    #: restaurar con ``pg_restore --clean --single-transaction`` a secas (ver ``restaurar``).
    esquema_pg: str | None = None
    mayor_pg: int = 0
    directo: bool = False

    @property
    def con_datos(self) -> bool:
        return bool(self.tablas_con_datos)

    @property
    def nombre_base(self) -> str:
        d = datos_conexion(self.url)
        if d.motor == "sqlite":
            return Path(d.base or "").name
        return d.base or ""


def planificar_restauracion(
    url: str, insp: Inspeccion, limpiar: bool = False, forzar: bool = False
) -> PlanRestauracion:
    """Todas las comprobaciones que no tocan la base destino; lanza si algo impide restaurar."""
    from amauta_cli.services import entorno

    motor = motor_de_url(url)
    if insp.motor != motor:
        raise DatosInvalidos(
            f"{insp.archivo.name} es un respaldo de {_nombre_motor(insp.motor)} y la base "
            f"destino es {_nombre_motor(motor)}: no se puede restaurar en otro motor. "
            "No se tocó la base."
        )
    rev = (insp.manifiesto or {}).get("revision")
    if insp.manifiesto is not None and not _revision_conocida(rev) and not forzar:
        raise OperacionRechazada(_mensaje_revision_nueva(rev))
    if motor == "postgresql":
        plan = _planificar_pg(url, insp, forzar)
    else:
        plan = _planificar_sqlite(url, insp, forzar)
    plan.produccion = plan.entorno_destino == "produccion" or entorno.variable_produccion()
    if plan.con_datos and not limpiar:
        raise OperacionRechazada(
            f"La base destino ya tiene datos (en {cantidad(len(plan.tablas_con_datos), 'tabla')}: "
            f"{', '.join(plan.tablas_con_datos[:5])}{'...' if len(plan.tablas_con_datos) > 5 else ''}): "
            "restaurar reemplazaría su contenido. Agregue --limpiar para reemplazarlo (antes se "
            "hace un respaldo de seguridad automático) o elija una base vacía. No se tocó la base."
        )
    return plan


def _planificar_sqlite(url: str, insp: Inspeccion, forzar: bool) -> PlanRestauracion:
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
    return PlanRestauracion(url, insp, [t for t, n in filas.items() if n], False, env, forzar)


#: Objetos del esquema destino: (clase en la lista de pg_restore -l, nombre).
_SQL_OBJETOS = """
SELECT coalesce(json_agg(json_build_array(clase, nombre)), '[]') FROM (
  SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                        ELSE 'TABLE' END AS clase, c.relname AS nombre
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd', 'r', 'c')
    AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'FUNCTION', p.proname
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = current_schema()
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
) o"""


def _planificar_pg(url: str, insp: Inspeccion, forzar: bool) -> PlanRestauracion:
    """El estado del destino por una sesión de psql (sin SQLAlchemy: cada décima de segundo
    de arranque cuenta contra el 15 % de sobrecosto)."""
    sesion = _SesionPsql(url, "amauta-restore")
    try:
        estado = json.loads(
            sesion.valor(
                "SELECT json_build_object('esquema', current_schema(), "
                "'numero', current_setting('server_version_num')::int, "
                f"'objetos', ({_SQL_OBJETOS}))"
            )
        )
        esquema = estado["esquema"]
        if esquema is None:
            raise AmautaError(
                "La base destino no tiene un esquema actual (search_path vacío o inexistente): "
                "defina search_path o cree el esquema public."
            )
        objetos = [tuple(o) for o in estado["objetos"]]
        tablas = [n for c, n in objetos if c == "TABLE" and n != "alembic_version"]
        partes = [f"SELECT {_literal(t)} AS t WHERE EXISTS (SELECT 1 FROM {_ident(t)})" for t in tablas]
        datos = json.loads(
            sesion.valor(
                "SELECT json_build_object("
                + (
                    f"'con_datos', (SELECT json_agg(t) FROM ({' UNION ALL '.join(partes)}) x), "
                    if partes
                    else ""
                )
                + (
                    "'entorno', (SELECT valor FROM \"_amauta_meta\" WHERE clave = 'entorno'), "
                    if "_amauta_meta" in tablas
                    else ""
                )
                + "'fin', true)"
            )
        )
    finally:
        sesion.cerrar()
    mayor = estado["numero"] // 10000
    herramienta("psql", mayor)
    plan = PlanRestauracion(
        url,
        insp,
        list(datos.get("con_datos") or []),
        False,
        datos.get("entorno"),
        forzar,
        esquema_pg=esquema,
        mayor_pg=mayor,
    )
    if insp.formato == "custom":
        indice = _comprobar_toc(url, insp, herramienta("pg_restore", mayor))
        plan.directo = _restauracion_directa_posible(plan, objetos, indice)
    return plan


def _restauracion_directa_posible(
    plan: PlanRestauracion, objetos: list[tuple[str, str]], indice: str
) -> bool:
    """¿``pg_restore --clean --if-exists --single-transaction`` hace exactamente lo mismo que
    el camino general (borrar todo el esquema, restaurar y ajustar, en una transacción)?

    Sí cuando: el respaldo tiene manifiesto (su revisión ya se comprobó), no hay que escribir
    la marca de entorno del destino, y todo objeto del esquema destino está en el respaldo
    (``--clean`` solo borra lo que el respaldo trae). Ante la duda, no.
    """
    m = plan.inspeccion.manifiesto
    if m is None or plan.entorno_destino not in (None, m.get("entorno")):
        return False
    lineas = indice.splitlines()
    esquema = plan.esquema_pg
    for clase, nombre in objetos:
        if clase == "FUNCTION":
            return False  # amauta no crea funciones: que decida el camino general
        marca = f" {clase} {esquema} {nombre} "
        if not any(marca in linea + " " for linea in lineas if not linea.startswith(";")):
            return False
    return True


def _nombre_motor(m: str) -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(m, m)


def _comprobar_toc(url: str, insp: Inspeccion, pg_restore: Herramienta) -> str:
    """``pg_restore -l``: el índice del archivo custom se puede leer. Lo devuelve."""
    r = subprocess.run(
        [pg_restore.ruta, "-l", str(insp.archivo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=entorno_pg(url),
    )
    if r.returncode != 0:
        raise DatosInvalidos(
            f"{insp.archivo.name} está dañado: pg_restore no puede leer su índice. "
            "No se tocó la base.",
            [enmascarar_texto(lin, url) for lin in r.stderr.decode("utf-8", "replace").splitlines()[-5:]],
        )
    return r.stdout.decode("utf-8", "replace")


@dataclass
class ResultadoRestauracion:
    verificacion: Verificacion
    duracion: float
    revision_cabeza: str | None
    #: Cómo se restauró: ``pg_restore`` (directo), ``psql`` (camino general) o ``sqlite``.
    via: str = ""

    @property
    def pendiente_migrar(self) -> bool:
        """La revisión restaurada es anterior a la del código: hace falta ``amauta db migrate``.
        (Las revisiones de amauta son una sola línea: conocida y distinta de head = anterior.)"""
        rev = self.verificacion.revision_obtenida
        return rev is not None and rev != self.revision_cabeza and _revision_conocida(rev)


def restaurar(plan: PlanRestauracion, progreso: Progreso = sin_progreso) -> ResultadoRestauracion:
    """Reemplaza el contenido de la base por el respaldo, atómicamente, y lo compara con
    el manifiesto.

    PostgreSQL, dos caminos, los dos en UNA transacción:

    - directo: ``pg_restore --clean --if-exists --single-transaction`` cuando hace lo mismo
      que el general (ver ``_restauracion_directa_posible``); es el más rápido.
    - general: ``psql`` con ``BEGIN``, el borrado de todo el esquema, el volcado, las
      comprobaciones finales y ``COMMIT`` (ver ``_restaurar_pg``).

    Si el directo falla (se deshizo entero), se intenta el general, que borra con CASCADE.
    """
    from amauta_cli.db import cerrar_motores

    t0 = time.perf_counter()
    insp = plan.inspeccion
    conocidas = None if plan.forzar else list(revisiones_conocidas())
    if motor_de_url(plan.url) == "postgresql":
        assert plan.esquema_pg is not None
        via = "psql"
        if plan.directo:
            try:
                _restaurar_pg_directo(plan, progreso)
                via = "pg_restore"
            except AmautaError:
                via = "psql"
        if via == "psql":
            _restaurar_pg(
                plan.url,
                insp,
                previo=_sql_limpiar_esquema(plan.esquema_pg),
                final=_sql_final(plan.esquema_pg, conocidas, plan.entorno_destino),
                progreso=progreso,
                mayor=plan.mayor_pg,
            )
        revision, tablas = _describir_pg_psql(plan.url)
    else:
        via = "sqlite"
        destino = ruta_sqlite(plan.url)
        assert destino is not None
        destino.parent.mkdir(parents=True, exist_ok=True)
        _limpiar_restos(destino)
        nuevo = destino.with_name(f".{destino.name}.restaurando-{os.getpid()}")
        try:
            _volcar_sqlite(insp, nuevo, progreso)
            descripcion = _describir_sqlite(nuevo)
            if conocidas is not None and not _revision_conocida(descripcion["revision"]):
                raise OperacionRechazada(_mensaje_revision_nueva(descripcion["revision"]))
            if plan.entorno_destino:
                _marcar_entorno_sqlite(nuevo, plan.entorno_destino)
            if destino.exists():  # el archivo nuevo hereda permisos y dueño del anterior
                shutil.copymode(destino, nuevo)
                st = destino.stat()
                try:
                    os.chown(nuevo, st.st_uid, st.st_gid)
                except OSError:
                    pass
            cerrar_motores()  # ninguna conexión de este proceso al archivo viejo
            _reemplazar_sqlite(nuevo, destino)
        finally:
            nuevo.unlink(missing_ok=True)
        cerrar_motores()
        from amauta_cli.services.esquema import contar_filas, revision_actual

        with conexion(plan.url, solo_lectura=True) as con:
            revision = revision_actual(con)
            tablas = contar_filas(con)
    verificacion = _comparar(
        insp.archivo,
        insp.manifiesto,
        revision,
        tablas,
        entorno_conservado=plan.entorno_destino,
    )
    return ResultadoRestauracion(verificacion, time.perf_counter() - t0, _cabeza(), via)


def _morir_con_el_padre() -> None:  # pragma: no cover - corre en el hijo
    """Linux: el hijo recibe SIGKILL si amauta muere (PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:  # noqa: BLE001 - otros sistemas: sin esta garantía extra
        pass


def _restaurar_pg_directo(plan: PlanRestauracion, progreso: Progreso) -> None:
    """``pg_restore --clean --if-exists --single-transaction`` sobre la base destino.

    Si amauta muere, pg_restore muere con él (PR_SET_PDEATHSIG) y el servidor deshace la
    transacción: la base queda como estaba.
    """
    insp = plan.inspeccion
    pg_restore = herramienta("pg_restore", plan.mayor_pg)
    base = datos_conexion(plan.url).base or ""
    dbname = "dbname='" + base.replace("\\", "\\\\").replace("'", "\\'") + "'"
    n_tablas = len((insp.manifiesto or {}).get("tablas") or {}) or None
    proc = None
    try:
        with progreso("Restaurando (pg_restore)", n_tablas) as avanzar:
            al_leer = _lector_pg_restore(avanzar)

            proc = subprocess.Popen(
                [pg_restore.ruta, "--clean", "--if-exists", "--single-transaction",
                 "--exit-on-error", "--no-owner", "--no-privileges", "-v", "-d", dbname,
                 str(insp.archivo)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=entorno_pg(plan.url, "amauta-restore"),
                preexec_fn=_morir_con_el_padre,
            )
            errores = _Lector(proc.stderr, al_leer)
            errores.start()
            codigo = proc.wait()
            errores.join()
    except BaseException:
        _terminar(proc)
        raise
    if codigo != 0:
        raise AmautaError(
            "pg_restore falló y la restauración se deshizo: la base quedó como estaba.",
            errores.texto(plan.url),
        )


def _describir_pg_psql(url: str) -> tuple[str | None, dict[str, int]]:
    """Revisión y filas por tabla de la base, por una sesión de psql."""
    sesion = _SesionPsql(url, "amauta-restore")
    try:
        tablas = json.loads(
            sesion.valor(
                "SELECT coalesce(json_agg(c.relname ORDER BY c.relname), '[]') "
                "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            )
        )
        contadas = [t for t in tablas if t != "alembic_version"]
        conteo = " UNION ALL ".join(
            f"SELECT {_literal(t)} AS t, count(*) AS n FROM {_ident(t)}" for t in contadas
        )
        r = json.loads(
            sesion.valor(
                "SELECT json_build_object("
                + (f"'tablas', (SELECT json_object_agg(t, n) FROM ({conteo}) c), " if contadas else "")
                + (
                    "'revision', (SELECT version_num FROM alembic_version LIMIT 1), "
                    if "alembic_version" in tablas
                    else ""
                )
                + "'fin', true)"
            )
        )
    finally:
        sesion.cerrar()
    return r.get("revision"), {t: int(n) for t, n in (r.get("tablas") or {}).items()}


# --- Verificar un respaldo en una base desechable -------------------------------------------------
@dataclass
class ResultadoVerificacion:
    verificacion: Verificacion
    duracion: float
    base_desechable: str


def verificar(
    archivo: Path,
    url_servidor: str | None,
    progreso: Progreso = sin_progreso,
    exigir_manifiesto: bool = True,
) -> ResultadoVerificacion:
    """Comprueba el SHA-256 y restaura el respaldo en una base desechable (una base
    temporal en el mismo servidor PostgreSQL, o un archivo temporal para SQLite); compara
    revisión y filas por tabla con el manifiesto y borra la base desechable."""
    t0 = time.perf_counter()
    insp = inspeccionar(archivo, exigir_manifiesto=exigir_manifiesto)
    if insp.motor == "sqlite":
        import tempfile

        with tempfile.TemporaryDirectory(prefix="amauta-verificar-") as tmp:
            copia = Path(tmp) / "verificacion.db"
            _volcar_sqlite(insp, copia, progreso)
            d = _describir_sqlite(copia)
        v = _comparar(insp.archivo, insp.manifiesto, d["revision"], d["tablas"])
        return ResultadoVerificacion(v, time.perf_counter() - t0, "archivo temporal")
    if url_servidor is None or motor_de_url(url_servidor) != "postgresql":
        raise DatosInvalidos(
            f"{insp.archivo.name} es un respaldo de PostgreSQL: para verificarlo hace falta un "
            "servidor PostgreSQL donde crear una base temporal. Indíquelo con --db-url o "
            "AMAUTA_DATABASE_URL."
        )
    with base_desechable(url_servidor) as url_tmp:
        _restaurar_pg(url_tmp, insp, progreso=progreso, aplicacion="amauta-verificar")
        revision, tablas = _describir_pg(url_tmp)
        nombre = datos_conexion(url_tmp).base or ""
    v = _comparar(insp.archivo, insp.manifiesto, revision, tablas)
    return ResultadoVerificacion(v, time.perf_counter() - t0, nombre)


def _describir_pg(url: str) -> tuple[str | None, dict[str, int]]:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from amauta_cli.services.esquema import contar_filas, revision_actual

    engine = create_engine(url, poolclass=NullPool)
    try:
        with traducir_errores(url), engine.connect() as con:
            return revision_actual(con), contar_filas(con)
    finally:
        engine.dispose()


@contextmanager
def base_desechable(url_servidor: str) -> Iterator[str]:
    """Una base nueva y vacía en el servidor de ``url_servidor``; se borra al salir."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    nombre = f"amauta_verificar_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    engine = crear_motor(url_servidor)
    with traducir_errores(url_servidor):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            try:
                con.execute(text(f'CREATE DATABASE "{nombre}" TEMPLATE template0'))
            except Exception as e:  # noqa: BLE001
                if "permission denied" in str(e).lower():
                    raise OperacionRechazada(
                        "Para verificar un respaldo de PostgreSQL amauta crea una base temporal, "
                        f"y el usuario '{datos_conexion(url_servidor).usuario}' no tiene permiso "
                        "CREATEDB en ese servidor. Use un usuario con ese permiso para verificar."
                    ) from None
                raise
    url = make_url(url_servidor).set(database=nombre).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)'))


