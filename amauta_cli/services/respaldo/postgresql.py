"""Respaldos de PostgreSQL: ``pg_dump``, ``pg_restore`` y ``psql``.

- Respaldo: ``pg_dump`` (custom por defecto, o SQL plano) con ``--no-owner
  --no-privileges``, sobre una instantánea exportada (``pg_export_snapshot``) de la misma
  transacción en la que se cuentan las filas: el manifiesto describe exactamente lo que
  quedó en el archivo. La conexión pasa a las herramientas por variables de entorno
  (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD...), nunca por argv.
- Restauración, siempre en UNA transacción: ``pg_restore --clean --single-transaction``
  a secas cuando equivale al camino general; si no, ``psql`` con ``BEGIN``, el borrado del
  contenido actual, el volcado, las comprobaciones finales y, solo si todo lo anterior salió
  bien, ``COMMIT``.
- Nada de un respaldo llega a un metacomando de psql: psql corre en modo restringido
  (``\\restrict`` con una clave al azar que el archivo no puede conocer), el volcado pasa
  por ``FiltroSQL`` (que rechaza las líneas ``\\...`` fuera de los datos de COPY) y, si el
  psql instalado no tiene ``\\restrict``, amauta no le pasa contenido de un respaldo.
- Verificación: en una base desechable ``amauta_verificar_<dueño>_<azar>`` que una conexión
  vigía mantiene ocupada; si el proceso muere, ``restos_servidor`` la encuentra y
  ``borrar_restos_servidor`` la borra.

Este módulo y ``sqlite.py`` ofrecen la misma interfaz (ver ``flujo.py``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import threading
import gzip
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from amauta_cli.db import conexion, crear_motor, datos_conexion, enmascarar_texto, traducir_errores
from amauta_cli.errores import AmautaError, DatosInvalidos, OperacionRechazada

from . import archivos
from .archivos import Escritor, Resto, sha256_de
from .comun import BLOQUE, FORMATOS_PG, Progreso, ajustes, sin_progreso
from .inspeccion import FiltroSQL, Inspeccion, mensaje_sha_distinto
from .resultados import PlanRestauracion
from .verificacion import mensaje_revision_nueva

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

EXTENSIONES = {"custom": ".dump", "sql": ".sql"}


def elegir_formato(formato: str | None, salida: str | Path | None) -> str:
    """El formato de ``pg_dump``: el pedido, ``sql`` si la salida termina en ``.sql``, o el
    de los ajustes."""
    if formato is None and salida is not None and str(salida).endswith(".sql"):
        formato = "sql"
    formato = formato or ajustes()["formato"]
    if formato not in FORMATOS_PG:
        raise DatosInvalidos(f"--formato: '{formato}' no es válido (valores: {', '.join(FORMATOS_PG)}).")
    return formato


def describir_destino(url: str) -> dict[str, Any]:
    """Cómo nombra el manifiesto a la base: nombre y servidor."""
    d = datos_conexion(url)
    return {"base": d.base, "servidor": f"{d.host}:{d.puerto}"}


def carpetas_de_restos(_url: str) -> list[Path]:
    """Carpetas propias de la base donde una restauración deja temporales (ninguna)."""
    return []


# --- Herramientas de PostgreSQL --------------------------------------------------------------
@dataclass(frozen=True)
class Herramienta:
    ruta: str
    mayor: int
    texto: str
    menor: int = 0


@lru_cache(maxsize=None)
def _version_herramienta(ruta: str) -> Herramienta | None:
    try:
        r = subprocess.run([ruta, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\)\s*(\d+)(?:\.(\d+))?", r.stdout) or re.search(r"(\d+)(?:\.(\d+))?", r.stdout)
    if r.returncode != 0 or not m:
        return None
    return Herramienta(ruta, int(m.group(1)), r.stdout.strip(), int(m.group(2) or 0))


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


#: Primera versión menor de cada versión mayor cuyo psql tiene el modo restringido
#: (``\\restrict``, agosto de 2025, CVE-2025-8714); de la 18 en adelante, todas.
_PRIMERA_CON_RESTRICT = {13: 22, 14: 19, 15: 14, 16: 10, 17: 6}


def soporta_restrict(psql: Herramienta) -> bool:
    """¿Este psql tiene el modo restringido (``\\restrict``)? Lo tienen los clientes de
    PostgreSQL 13.22, 14.19, 15.14, 16.10, 17.6 y posteriores."""
    if psql.mayor >= 18:
        return True
    primera = _PRIMERA_CON_RESTRICT.get(psql.mayor)
    return primera is not None and psql.menor >= primera


def _exigir_restrict(psql: Herramienta, que: str) -> None:
    if not soporta_restrict(psql):
        raise OperacionRechazada(
            f"`{psql.ruta}` ({psql.texto}) no tiene el modo restringido de psql (\\restrict), "
            f"y sin él amauta no le pasa el contenido de un respaldo: {que} podría hacerle "
            "correr programas en esta máquina. Instale un cliente de PostgreSQL actualizado "
            "(13.22, 14.19, 15.14, 16.10, 17.6 o posteriores; en Debian/Ubuntu, `sudo apt "
            f"install --only-upgrade postgresql-client-{psql.mayor}`) o indique su carpeta en "
            "AMAUTA_PG_BIN. No se tocó ninguna base."
        )


def clave_restrict() -> str:
    """Una clave al azar para ``\\restrict``: el respaldo no la conoce y no puede salir del
    modo restringido con ``\\unrestrict``."""
    return secrets.token_hex(24)


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


def _morir_con_el_padre() -> None:  # pragma: no cover - corre en el hijo
    """Linux: el hijo recibe SIGKILL si amauta muere (PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:  # noqa: BLE001 - otros sistemas: sin esta garantía extra
        pass


def _escribir_todo(fd: int, datos: bytes) -> bool:
    """Escribe ``datos`` enteros en ``fd``; False si el otro extremo ya se cerró."""
    vista = memoryview(datos)
    try:
        while vista:
            vista = vista[os.write(fd, vista):]
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def _alimentar(fd: int, insp: Inspeccion, retener_final: bool) -> bool:
    """Pasa el archivo de ``insp`` a ``fd`` (la entrada de ``pg_restore``) calculando su
    SHA-256 en la misma lectura; devuelve si coincide con ``insp.sha256_pendiente``.

    Con ``retener_final``, el último bloque se escribe solo si el SHA-256 coincide: un volcado
    custom termina con la marca de fin de los datos de su última tabla, y ``pg_restore`` no
    puede terminar (ni confirmar su transacción) sin leerla. Si el otro extremo se cierra
    antes (``pg_restore`` falló), se sigue leyendo para saber si el archivo está dañado.
    """
    import hashlib

    h = hashlib.sha256()
    abierto = True
    pendiente: bytes | None = None
    with open(insp.archivo, "rb") as f:
        while bloque := f.read(BLOQUE):
            h.update(bloque)
            if not retener_final:
                abierto = abierto and _escribir_todo(fd, bloque)
                continue
            if pendiente is not None and abierto:
                abierto = _escribir_todo(fd, pendiente)
            pendiente = bloque
    coincide = h.hexdigest() == insp.sha256_pendiente
    if coincide and pendiente is not None and abierto:
        _escribir_todo(fd, pendiente)
    return coincide


def _literal(texto: str) -> str:
    return "'" + texto.replace("'", "''") + "'"


def _ident(texto: str) -> str:
    return '"' + texto.replace('"', '""') + '"'


class _SesionPsql:
    """Una sesión de ``psql`` (salida sin alinear, una fila por consulta) para hablar con
    el servidor sin importar psycopg ni SQLAlchemy: arrancar amauta cuesta, y ese tiempo
    se suma al de ``pg_dump`` (objetivo: no más de un 15 % por encima). En modo
    restringido si el psql lo permite."""

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
        if soporta_restrict(psql):
            self._enviar(f"\\restrict {clave_restrict()}\n".encode())

    def _enviar(self, datos: bytes) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(datos)
            self.proc.stdin.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def valor(self, sql: str) -> str:
        """El valor (una fila, una columna) de ``sql``."""
        assert self.proc.stdout is not None
        self._enviar(sql.encode() + b";\n")
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


# --- Respaldar -----------------------------------------------------------------------------------
def tiene_datos(url: str) -> bool:
    """¿Alguna tabla (salvo ``alembic_version`` y la contabilidad de Prisma) tiene filas?"""
    from amauta_cli.services.esquema import TABLAS_DE_PRISMA, contar_filas

    with conexion(url, solo_lectura=True) as con:
        return any(n for t, n in contar_filas(con).items() if t not in TABLAS_DE_PRISMA)


def preparar_respaldo(url: str, carpeta: Path) -> None:
    """Comprobaciones antes de crear el archivo (ninguna: el tamaño de un volcado no se
    conoce de antemano)."""


def _sql_resumen(tablas: list[str]) -> str:
    """Una consulta que da, en un objeto JSON, las filas de cada tabla (``tablas``), la revisión
    de Alembic y el entorno de ``_amauta_meta`` (los que existan): lo que guarda el manifiesto de
    un respaldo y lo que se compara después de restaurar."""
    contadas = [t for t in tablas if t != "alembic_version"]
    conteo = " UNION ALL ".join(
        f"SELECT {_literal(t)} AS t, count(*) AS n FROM {_ident(t)}" for t in contadas
    )
    return (
        "SELECT json_build_object("
        + (f"'tablas', (SELECT json_object_agg(t, n) FROM ({conteo}) c), " if contadas else "")
        + ("'revision', (SELECT version_num FROM alembic_version LIMIT 1), " if "alembic_version" in tablas else "")
        + (
            "'entorno', (SELECT valor FROM \"_amauta_meta\" WHERE clave = 'entorno'), "
            if "_amauta_meta" in tablas
            else ""
        )
        + "'fin', true)"
    )


def respaldar(url: str, destino: Path, formato: str, progreso: Progreso) -> dict[str, Any]:
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
        escritor = Escritor(destino)
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
                preexec_fn=_morir_con_el_padre,
            )
            errores = _Lector(proc.stderr, al_leer)
            errores.start()
            copia = threading.Thread(target=_copiar, args=(proc.stdout, escritor.write), daemon=True)
            copia.start()
            # Mientras pg_dump escribe, la misma instantánea da filas, revisión y entorno.
            resumen = json.loads(sesion.valor(_sql_resumen(tablas_sql)))
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
        "tablas": {t: int((resumen.get("tablas") or {})[t]) for t in tablas_sql if t != "alembic_version"},
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


# --- Planificar la restauración --------------------------------------------------------------------
#: Objetos del esquema destino: (clase en la lista de pg_restore -l, nombre; las funciones
#: con su firma, como las escribe pg_restore -l).
_SQL_OBJETOS = """
SELECT coalesce(json_agg(json_build_array(clase, nombre)), '[]') FROM (
  SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                        ELSE 'TABLE' END AS clase,
         c.relname::text AS nombre  -- text: como name, la firma de una función se cortaría en 63
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
  SELECT 'FUNCTION', p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = current_schema()
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
) o"""


def planificar(url: str, insp: Inspeccion, forzar: bool) -> PlanRestauracion:
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
    psql = herramienta("psql", mayor)
    plan = PlanRestauracion(
        url,
        insp,
        list(datos.get("con_datos") or []),
        False,
        datos.get("entorno"),
        forzar,
        nombre_base=datos_conexion(url).base or "",
        esquema_pg=esquema,
        mayor_pg=mayor,
    )
    if insp.formato == "custom":
        indice = _comprobar_toc(url, insp, herramienta("pg_restore", mayor))
        plan.directo = _restauracion_directa_posible(plan, objetos, indice)
    if not plan.directo:
        _exigir_restrict(psql, "restaurar este respaldo por psql")
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
        # Las funciones van con su firma, como en el índice: ``amauta_sin_acentos(text)``.
        marca = f" {clase} {esquema} {nombre} "
        if not any(marca in linea + " " for linea in lineas if not linea.startswith(";")):
            return False
    return True


def _comprobar_toc(url: str, insp: Inspeccion, pg_restore: Herramienta) -> str:
    """``pg_restore -l``: el índice del archivo custom se puede leer. Lo devuelve."""
    r = subprocess.run(
        [pg_restore.ruta, "-l", str(insp.archivo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=entorno_pg(url),
    )
    if r.returncode != 0:
        if insp.sha256_pendiente is not None and sha256_de(insp.archivo) != insp.sha256_pendiente:
            # Con manifiesto, la causa precisa es la que dice el manifiesto (el byte cambiado
            # puede caer en el índice, que pg_restore lee antes que el SHA-256 se calcule).
            raise DatosInvalidos(mensaje_sha_distinto(insp.archivo))
        raise DatosInvalidos(
            f"{insp.archivo.name} está dañado: pg_restore no puede leer su índice. "
            "No se tocó la base.",
            [enmascarar_texto(lin, url) for lin in r.stderr.decode("utf-8", "replace").splitlines()[-5:]],
        )
    return r.stdout.decode("utf-8", "replace")


# --- Restaurar ---------------------------------------------------------------------------------------
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


def restaurar(
    plan: PlanRestauracion, conocidas: list[str] | None, progreso: Progreso
) -> tuple[str | None, dict[str, int], str]:
    """Reemplaza el contenido de la base por el respaldo en UNA transacción. Devuelve
    revisión, filas por tabla y el camino: ``pg_restore`` (directo) o ``psql`` (general).

    Si el directo falla (se deshizo entero), se intenta el general, que borra con CASCADE.
    """
    assert plan.esquema_pg is not None
    accesos_de_escuelas(plan.url, plan.inspeccion)
    via = "psql"
    if plan.directo:
        try:
            _pg_restore_directo(plan.url, plan.inspeccion, plan.mayor_pg, progreso, clean=True)
            via = "pg_restore"
        except DatosInvalidos:
            raise  # el archivo está dañado: por psql tampoco
        except AmautaError:
            via = "psql"
    if via == "psql":
        _restaurar_por_psql(
            plan.url,
            plan.inspeccion,
            previo=_sql_limpiar_esquema(plan.esquema_pg),
            final=_sql_final(plan.esquema_pg, conocidas, plan.entorno_destino),
            progreso=progreso,
            mayor=plan.mayor_pg,
        )
    revision, tablas = _describir_por_psql(plan.url)
    return revision, tablas, via


def accesos_de_escuelas(url: str, insp: Inspeccion, despues: bool = False) -> list[str]:
    """Accesos por escuela (migración 0005) al restaurar.

    Antes: las políticas del respaldo nombran al rol de grupo ``amauta_escuela`` (del servidor,
    no de la base): si falta, se crea, o se explica cómo. Después: se vuelven a dar sus permisos
    (los respaldos se hacen sin privilegios) y se avisa qué roles de escuela faltan en este
    servidor y cómo recrearlos con ``amauta accesos crear``.
    """
    from amauta_cli.db import conexion_cruda
    from amauta_cli.services import accesos
    from amauta_cli.services.esquema import revisiones

    orden = [s.revision for s in revisiones()]
    rev = (insp.manifiesto or {}).get("revision")
    if rev in orden and orden.index(rev) < orden.index("0005"):
        return []  # un respaldo de antes de la seguridad por escuelas
    with conexion_cruda(url) as c:
        if not despues:
            accesos.asegurar_rol_grupo(c)
            return []
        return accesos.tras_restaurar(c)


def tras_restaurar(plan: PlanRestauracion) -> list[str]:
    """Avisos para quien restauró (los roles de escuela que faltan en este servidor)."""
    return accesos_de_escuelas(plan.url, plan.inspeccion, despues=True)


def _pg_restore_directo(
    url: str, insp: Inspeccion, mayor: int, progreso: Progreso, clean: bool,
    aplicacion: str = "amauta-restore",
) -> None:
    """``pg_restore [--clean --if-exists] --single-transaction -d BASE`` (sin psql: nada
    del archivo llega a un metacomando).

    Si amauta muere, pg_restore muere con él (PR_SET_PDEATHSIG) y el servidor deshace la
    transacción: la base queda como estaba.
    """
    pg_restore = herramienta("pg_restore", mayor)
    base = datos_conexion(url).base or ""
    dbname = "dbname='" + base.replace("\\", "\\\\").replace("'", "\\'") + "'"
    # Con el SHA-256 pendiente, amauta le pasa el archivo por su entrada y lo calcula en la
    # misma lectura (una sola pasada): el último bloque se entrega solo si coincide; si no,
    # pg_restore muere sin haber llegado al COMMIT y el servidor deshace todo.
    por_entrada = insp.sha256_pendiente is not None
    proc = None
    coincide = True
    try:
        with progreso("Restaurando (pg_restore)", insp.n_tablas) as avanzar:
            proc = subprocess.Popen(
                [pg_restore.ruta, *(["--clean", "--if-exists"] if clean else []),
                 "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "-v",
                 "-d", dbname, *([] if por_entrada else [str(insp.archivo)])],
                stdin=subprocess.PIPE if por_entrada else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=entorno_pg(url, aplicacion),
                preexec_fn=_morir_con_el_padre,
            )
            errores = _Lector(proc.stderr, _lector_pg_restore(avanzar))
            errores.start()
            if por_entrada:
                assert proc.stdin is not None
                coincide = _alimentar(proc.stdin.fileno(), insp, retener_final=True)
                if not coincide:
                    terminado = proc.poll()
                    _terminar(proc)
                    errores.join()
                    if terminado == 0:  # pragma: no cover - pg_restore no termina sin el final
                        raise AmautaError(
                            f"El respaldo {insp.archivo.name} no coincide con su manifiesto (SHA-256) "
                            "y pg_restore terminó sin leerlo entero: revise la base con "
                            "`amauta db verificar` y restaure un respaldo sano."
                        )
                    raise DatosInvalidos(mensaje_sha_distinto(insp.archivo, despues=True))
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            codigo = proc.wait()
            errores.join()
    except BaseException:
        _terminar(proc)
        raise
    if codigo != 0:
        raise AmautaError(
            "pg_restore falló y la restauración se deshizo: la base quedó como estaba.",
            errores.texto(url),
        )


def _restaurar_por_psql(
    url: str,
    insp: Inspeccion,
    previo: str = "",
    final: str = "",
    progreso: Progreso = sin_progreso,
    aplicacion: str = "amauta-restore",
    mayor: int | None = None,
) -> None:
    """Restaura ``insp`` en la base de ``url`` en UNA transacción de ``psql``.

    amauta alimenta la entrada de ``psql``: ``\\restrict`` con una clave al azar (desde ahí
    psql rechaza todo metacomando), ``BEGIN``, ``previo``, el volcado (de ``pg_restore -f -``
    o del archivo SQL, filtrado por ``FiltroSQL``), ``final`` y ``COMMIT``. El ``COMMIT`` se
    envía solo si todo lo anterior se leyó completo y ``pg_restore`` terminó bien; si algo
    falla o el proceso muere, ``psql`` llega al fin de su entrada sin ``COMMIT`` y el
    servidor deshace la transacción: la base queda como estaba.
    """
    if mayor is None:
        with conexion(url, solo_lectura=True) as con:
            _, mayor = _mayor_servidor(con)
    psql = herramienta("psql", mayor)
    _exigir_restrict(psql, "restaurar este respaldo por psql")
    pg_restore = herramienta("pg_restore", mayor) if insp.formato == "custom" else None
    env = entorno_pg(url, aplicacion)
    proc_psql = proc_pr = None
    filtro = FiltroSQL(insp.archivo.name)
    try:
        proc_psql = subprocess.Popen(
            [psql.ruta, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=_morir_con_el_padre,
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
            escribir(
                f"\\restrict {clave_restrict()}\nBEGIN;\nSET client_min_messages = warning;\n{previo}\n".encode()
            )
            if insp.formato == "custom":
                assert pg_restore is not None
                with progreso("Restaurando (pg_restore)", insp.n_tablas) as avanzar:
                    por_entrada = insp.sha256_pendiente is not None
                    proc_pr = subprocess.Popen(
                        [pg_restore.ruta, "-f", "-", "--no-owner", "--no-privileges", "-v",
                         *([] if por_entrada else [str(insp.archivo)])],
                        stdin=subprocess.PIPE if por_entrada else subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env=env,
                        preexec_fn=_morir_con_el_padre,
                    )
                    err_pr = _Lector(proc_pr.stderr, _lector_pg_restore(avanzar))
                    err_pr.start()
                    # Con el SHA-256 pendiente, un hilo alimenta a pg_restore y lo calcula en
                    # la misma lectura; el COMMIT se envía solo si coincide.
                    sha: list[bool] = []
                    hilo = None
                    if por_entrada:
                        assert proc_pr.stdin is not None
                        entrada_pr = proc_pr.stdin

                        def alimentar() -> None:
                            try:
                                sha.append(_alimentar(entrada_pr.fileno(), insp, retener_final=False))
                            finally:
                                try:
                                    entrada_pr.close()
                                except OSError:
                                    pass

                        hilo = threading.Thread(target=alimentar, daemon=True)
                        hilo.start()
                    assert proc_pr.stdout is not None
                    fd = proc_pr.stdout.fileno()
                    while bloque := os.read(fd, BLOQUE):
                        escribir(filtro.filtrar(bloque))
                    escribir(filtro.terminar())
                    codigo_pr = proc_pr.wait()
                    err_pr.join()
                    if hilo is not None:
                        hilo.join()
                        if sha != [True]:
                            raise DatosInvalidos(mensaje_sha_distinto(insp.archivo, despues=True))
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
                        escribir(filtro.filtrar(bloque))
                        pos = crudo.tell() if crudo is not None else leido + len(bloque)
                        avanzar(pos - leido)
                        leido = pos
                    escribir(filtro.terminar())
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
                raise OperacionRechazada(mensaje_revision_nueva(rev, despues=True))
            if any("backslash commands are restricted" in lin for lin in lineas):
                raise DatosInvalidos(
                    f"{insp.archivo.name} trae un metacomando de psql a mitad de una línea: psql "
                    "lo rechazó (modo restringido) sin ejecutarlo, y la restauración se deshizo: "
                    "la base quedó como estaba. amauta no restaura respaldos con metacomandos.",
                    lineas,
                )
            raise AmautaError(
                "La restauración falló y se deshizo: la base quedó como estaba.", lineas
            )
    except BaseException:
        _terminar(proc_pr, proc_psql)
        raise


def _describir_por_psql(url: str) -> tuple[str | None, dict[str, int]]:
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
        r = json.loads(sesion.valor(_sql_resumen(tablas)))
    finally:
        sesion.cerrar()
    return r.get("revision"), {t: int(n) for t, n in (r.get("tablas") or {}).items()}


# --- Verificar en una base desechable ----------------------------------------------------------------
def verificar(
    insp: Inspeccion, url_servidor: str | None, progreso: Progreso, avisar: Callable[[str], None]
) -> tuple[str | None, dict[str, int], str]:
    """Restaura el respaldo en una base desechable del servidor de ``url_servidor`` y
    devuelve revisión, filas por tabla y el nombre de la base (ya borrada)."""
    from amauta_cli.db import motor_de_url

    if url_servidor is None or motor_de_url(url_servidor) != "postgresql":
        raise DatosInvalidos(
            f"{insp.archivo.name} es un respaldo de PostgreSQL: para verificarlo hace falta un "
            "servidor PostgreSQL donde crear una base temporal. Indíquelo con --db-url o "
            "AMAUTA_DATABASE_URL."
        )
    if insp.formato != "custom":
        _exigir_restrict(herramienta("psql", 0), "verificar este volcado SQL")
    for r in borrar_restos_servidor(url_servidor):
        avisar(f"Se borró la base desechable {r.nombre}, de una verificación interrumpida.")
    with base_desechable(url_servidor) as (url_tmp, mayor):
        accesos_de_escuelas(url_tmp, insp)
        if insp.formato == "custom":
            # pg_restore directo: sin psql, nada del archivo llega a un metacomando.
            _pg_restore_directo(url_tmp, insp, mayor, progreso, clean=False, aplicacion="amauta-verificar")
        else:
            _restaurar_por_psql(url_tmp, insp, progreso=progreso, aplicacion="amauta-verificar", mayor=mayor)
        revision, tablas = _describir_por_psql(url_tmp)
        nombre = datos_conexion(url_tmp).base or ""
    return revision, tablas, nombre


_PREFIJO_DESECHABLE = "amauta_verificar_"
_PATRON_DESECHABLE = re.compile(
    r"^amauta_verificar_(?P<maquina>[0-9a-f]{8})_(?P<arranque>[0-9a-f]{8})_(?P<pid>\d+)_(?P<inicio>\d+)_[0-9a-f]+$"
)


def _nombre_desechable() -> str:
    """``amauta_verificar_<máquina>_<arranque>_<pid>_<inicio>_<azar>`` (≤ 63 bytes)."""
    return _PREFIJO_DESECHABLE + archivos.dueno().replace("-", "_") + "_" + secrets.token_hex(3)


@contextmanager
def base_desechable(url_servidor: str) -> Iterator[tuple[str, int]]:
    """Una base nueva y vacía en el servidor de ``url_servidor``; se borra al salir.

    Mientras existe, una conexión vigía la mantiene ocupada: si este proceso muere, la
    conexión se cae y ``restos_servidor`` la ve libre (también desde otra máquina)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    nombre = _nombre_desechable()
    engine = crear_motor(url_servidor)
    with traducir_errores(url_servidor):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            _, mayor = _mayor_servidor(con)
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
    vigia_motor = create_engine(url, poolclass=NullPool)
    vigia = None
    try:
        with traducir_errores(url):
            vigia = vigia_motor.connect()
        yield url, mayor
    finally:
        if vigia is not None:
            vigia.close()
        vigia_motor.dispose()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)'))


def restos_servidor(url: str) -> list[Resto]:
    """Las bases desechables ``amauta_verificar_*`` del servidor de ``url``, con el estado
    de su dueño: ``terminado`` (se pueden borrar), ``vivo``, ``en uso``..."""
    from sqlalchemy import text

    d = datos_conexion(url)
    servidor = f"{d.host}:{d.puerto}"
    engine = crear_motor(url)
    with traducir_errores(url), engine.connect() as con:
        filas = con.execute(
            text(
                "SELECT d.datname, "
                "CASE WHEN has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid) END, "
                "(SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname) "
                "FROM pg_database d WHERE d.datname LIKE 'amauta\\_verificar\\_%' ORDER BY d.datname"
            )
        ).all()
    hallados = []
    for nombre, tamano, conexiones in filas:
        m = _PATRON_DESECHABLE.match(nombre)
        pid = int(m["pid"]) if m else None
        if m:
            estado = archivos.estado_dueno(m["maquina"], m["arranque"], int(m["pid"]), m["inicio"])
            if estado == "otra máquina" and not conexiones:
                estado = "terminado"  # su vigía se cayó: el proceso que la creó ya no existe
        else:  # de una versión anterior de amauta, sin dueño en el nombre
            estado = "en uso" if conexiones else "abandonado"
        hallados.append(Resto("base desechable", nombre, servidor, tamano, estado, pid))
    return hallados


def borrar_restos_servidor(url: str, restos: list[Resto] | None = None) -> list[Resto]:
    """Borra las bases desechables huérfanas (de procesos que ya no existen)."""
    from sqlalchemy import text

    restos = restos_servidor(url) if restos is None else restos
    huerfanos = [r for r in restos if r.huerfano and r.tipo == "base desechable"]
    if not huerfanos:
        return []
    borrados = []
    engine = crear_motor(url)
    with traducir_errores(url), engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
        for r in huerfanos:
            if not r.nombre.startswith(_PREFIJO_DESECHABLE):  # pragma: no cover - defensa
                continue
            try:
                con.execute(text(f'DROP DATABASE IF EXISTS "{r.nombre}" WITH (FORCE)'))
            except Exception:  # noqa: BLE001 - p. ej. de otro usuario: se sigue listando
                continue
            borrados.append(r)
    return borrados
