"""Fixtures compartidas: bases reales en SQLite y PostgreSQL, nuevas para cada prueba.

- ``motor``: parametriza cada prueba que lo use (directa o indirectamente) en
  ``sqlite`` y ``postgresql``. La pata de PostgreSQL se salta solo si no hay servidor
  y ``AMAUTA_TEST_REQUIRE_POSTGRES`` no está definida (``.ci/run`` la define).
- ``bd_vacia``: una base sin esquema. ``bd``: una base migrada hasta head.
- ``crear_plantilla(nombre, preparar)``: para fixtures de otras áreas (p. ej. una base
  con el seed): prepara una plantilla una vez por sesión y cada prueba recibe un clon
  (``CREATE DATABASE ... TEMPLATE`` en PostgreSQL, una copia del archivo en SQLite).
- ``cli``: invoca ``amauta --db-url <base> ...`` con el CliRunner de Typer.

Variables: ``AMAUTA_TEST_PG_URL`` (servidor de pruebas, por defecto
``postgresql://postgres@127.0.0.1:5432/postgres``) y ``AMAUTA_TEST_MOTORES``
(``sqlite,postgresql`` por defecto) para correr un solo motor.

``AMAUTA_TEST_PG_POOLER_URL`` (p. ej. ``postgresql://postgres@127.0.0.1:6432/postgres``, un
PgBouncer en modo transacción delante del mismo servidor): las bases de cada prueba se usan a
través del pooler, como una aplicación detrás de PgBouncer; crear y borrar bases y preparar las
plantillas va directo al servidor (no se puede por el pooler), y los comandos reciben
``AMAUTA_DIRECT_URL`` con la URL directa de su base, como se configura en producción.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

PG_ADMIN_URL = os.environ.get(
    "AMAUTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MOTORES = [m.strip() for m in os.environ.get("AMAUTA_TEST_MOTORES", "sqlite,postgresql").split(",") if m.strip()]
REQUIERE_PG = bool(os.environ.get("AMAUTA_TEST_REQUIRE_POSTGRES"))
PG_POOLER_URL = os.environ.get("AMAUTA_TEST_PG_POOLER_URL")
#: URL por el pooler -> URL directa de la misma base (para AMAUTA_DIRECT_URL).
_DIRECTAS: dict[str, str] = {}


# --- PostgreSQL de administración -------------------------------------------------------------
def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


_pg_ok: bool | None = None


def pg_disponible() -> bool:
    global _pg_ok
    if _pg_ok is None:
        try:
            with _pg_admin() as c:
                c.execute("SELECT 1")
            _pg_ok = True
        except Exception:  # noqa: BLE001
            _pg_ok = False
    return _pg_ok


def url_pg(nombre: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=nombre).render_as_string(
        hide_password=False
    )


def url_prueba(nombre: str) -> str:
    """La URL con la que las pruebas usan la base ``nombre``: por el pooler si
    ``AMAUTA_TEST_PG_POOLER_URL`` está definida (y se anota su URL directa), si no directa."""
    if not PG_POOLER_URL:
        return url_pg(nombre)
    from sqlalchemy.engine import make_url

    url = make_url(PG_POOLER_URL).set(drivername="postgresql+psycopg", database=nombre).render_as_string(
        hide_password=False
    )
    _DIRECTAS[url] = url_pg(nombre)
    return url


def crear_bd_pg(nombre: str, plantilla: str | None = None) -> None:
    with _pg_admin() as c:
        extra = f' TEMPLATE "{plantilla}"' if plantilla else ""
        c.execute(f'CREATE DATABASE "{nombre}"{extra}')


def borrar_bd_pg(nombre: str) -> None:
    from amauta_cli.db import cerrar_motores

    cerrar_motores()
    with _pg_admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')


# --- Bases de prueba ------------------------------------------------------------------------------
@dataclass
class BaseDePrueba:
    """Una base real para una prueba."""

    motor: str
    url: str

    @property
    def url_directa(self) -> str:
        """La URL directa al servidor (distinta de ``url`` solo si las pruebas pasan por PgBouncer)."""
        return _DIRECTAS.get(self.url, self.url)

    def engine(self):
        from amauta_cli.db import crear_motor

        return crear_motor(self.url)

    def filas(self, sql: str, **params: Any) -> list[tuple]:
        from sqlalchemy import text

        with self.engine().connect() as con:
            return [tuple(r) for r in con.execute(text(sql), params).all()]

    def valor(self, sql: str, **params: Any) -> Any:
        filas = self.filas(sql, **params)
        return filas[0][0] if filas else None

    def ejecutar(self, sql: str, **params: Any) -> None:
        from sqlalchemy import text

        with self.engine().begin() as con:
            con.execute(text(sql), params)

    def contar(self, tabla: str) -> int:
        return int(self.valor(f'SELECT count(*) FROM "{tabla}"'))

    def conteos(self) -> dict[str, int]:
        """Filas de cada tabla del esquema (para comprobar que nada cambió)."""
        from sqlalchemy import inspect

        with self.engine().connect() as con:
            tablas = [t for t in inspect(con).get_table_names() if t != "alembic_version"]
        # Las tablas internas de FTS5 (SQLite) son del índice, no datos: no se cuentan.
        internas = ("_config", "_content", "_data", "_docsize", "_idx")
        tablas = [t for t in tablas if not ("_fts_" in t and t.endswith(internas))]
        return {t: self.contar(t) for t in sorted(tablas)}

    def instantanea(self) -> dict[str, list[tuple]]:
        """Todo el contenido de cada tabla, ordenado: para afirmar 'nada cambió'."""
        from sqlalchemy import inspect

        with self.engine().connect() as con:
            tablas = [t for t in inspect(con).get_table_names() if t != "alembic_version"]
        return {
            t: sorted((tuple(map(repr, f)) for f in self.filas(f'SELECT * FROM "{t}"')))
            for t in sorted(tablas)
        }


@pytest.fixture(params=MOTORES)
def motor(request) -> str:
    if request.param == "postgresql" and not pg_disponible():
        if REQUIERE_PG:
            pytest.fail(f"PostgreSQL no responde en {PG_ADMIN_URL} y AMAUTA_TEST_REQUIRE_POSTGRES está definida")
        pytest.skip("PostgreSQL no disponible")
    return request.param


@pytest.fixture(autouse=True)
def _entorno_aislado(monkeypatch, tmp_path) -> None:
    """Ninguna prueba depende de las variables o del directorio de datos de quien la corre."""
    for var in ("AMAUTA_DATABASE_URL", "DATABASE_URL", "AMAUTA_ENV", "AMAUTA_CONFIRMAR_BASE", "AMAUTA_AJUSTES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("COLUMNS", "200")


# --- Plantillas ------------------------------------------------------------------------------------
_plantillas: dict[tuple[str, str], str] = {}
_bds_pg_de_sesion: list[str] = []


@pytest.fixture(scope="session")
def _dir_plantillas(tmp_path_factory) -> Iterator[Path]:
    d = tmp_path_factory.mktemp("plantillas")
    yield d
    for nombre in _bds_pg_de_sesion:
        try:
            borrar_bd_pg(nombre)
        except Exception:  # noqa: BLE001
            pass


def _preparar_plantilla(motor: str, nombre: str, preparar: Callable[[str], None], carpeta: Path) -> str:
    from amauta_cli.db import cerrar_motores

    clave = (motor, nombre)
    if clave in _plantillas:
        return _plantillas[clave]
    if motor == "sqlite":
        ruta = carpeta / f"{nombre}.db"
        url = f"sqlite:///{ruta}"
        preparar(url)
        cerrar_motores()  # al cerrar la última conexión, SQLite vuelca el WAL al archivo
        _plantillas[clave] = str(ruta)
    else:
        bd = f"amauta_tpl_{nombre}_{uuid.uuid4().hex[:8]}"
        crear_bd_pg(bd)
        _bds_pg_de_sesion.append(bd)
        preparar(url_pg(bd))
        cerrar_motores()
        _plantillas[clave] = bd
    return _plantillas[clave]


def _clonar(motor: str, plantilla: str, tmp_path: Path) -> tuple[BaseDePrueba, Callable[[], None]]:
    if motor == "sqlite":
        ruta = tmp_path / f"amauta-{uuid.uuid4().hex[:6]}.db"
        shutil.copyfile(plantilla, ruta)
        return BaseDePrueba("sqlite", f"sqlite:///{ruta}"), lambda: None
    bd = f"amauta_test_{uuid.uuid4().hex[:10]}"
    crear_bd_pg(bd, plantilla)
    return BaseDePrueba("postgresql", url_prueba(bd)), lambda: borrar_bd_pg(bd)


def _migrar(url: str) -> None:
    from amauta_cli.services.esquema import migrar

    migrar(url)


@pytest.fixture
def crear_plantilla(motor, _dir_plantillas, tmp_path):
    """Devuelve ``f(nombre, preparar) -> BaseDePrueba``: un clon nuevo de una plantilla de sesión.

    ``preparar(url)`` recibe la URL de una base migrada a head y la llena.
    """
    limpiezas: list[Callable[[], None]] = []

    def fabricar(nombre: str, preparar: Callable[[str], None] | None = None) -> BaseDePrueba:
        def preparar_todo(url: str) -> None:
            _migrar(url)
            if preparar is not None:
                preparar(url)

        plantilla = _preparar_plantilla(motor, nombre, preparar_todo, _dir_plantillas)
        base, limpiar = _clonar(motor, plantilla, tmp_path)
        limpiezas.append(limpiar)
        return base

    yield fabricar
    from amauta_cli.db import cerrar_motores

    cerrar_motores()
    for limpiar in limpiezas:
        limpiar()


@pytest.fixture
def bd(crear_plantilla, request) -> BaseDePrueba:
    """Una base nueva, migrada a head, vacía de datos; con ``@pytest.mark.escenario("asistencia")``
    (en la prueba o en ``pytestmark`` del módulo), la escuela de ese escenario de ``fabrica.py``."""
    marca = request.node.get_closest_marker("escenario")
    if marca is not None:
        return escuela_de_prueba(crear_plantilla, *marca.args, **marca.kwargs)
    return crear_plantilla("migrada")


@pytest.fixture
def bd_vacia(motor, tmp_path) -> Iterator[BaseDePrueba]:
    """Una base nueva sin ningún esquema."""
    from amauta_cli.db import cerrar_motores

    if motor == "sqlite":
        # El equivalente de CREATE DATABASE: un archivo vacío (una base SQLite sin tablas).
        # amauta no crea el archivo al conectarse (solo db migrate, seed y db restore).
        ruta = tmp_path / "vacia.db"
        ruta.touch(mode=0o600)
        yield BaseDePrueba("sqlite", f"sqlite:///{ruta}")
        cerrar_motores()
        return
    nombre = f"amauta_test_{uuid.uuid4().hex[:10]}"
    crear_bd_pg(nombre)
    try:
        yield BaseDePrueba("postgresql", url_prueba(nombre))
    finally:
        borrar_bd_pg(nombre)


# --- CLI ------------------------------------------------------------------------------------------
@dataclass
class Salida:
    codigo: int
    stdout: str
    stderr: str
    excepcion: BaseException | None

    @property
    def texto(self) -> str:
        return self.stdout + self.stderr


def invocar(url: str | None, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Salida:
    from typer.testing import CliRunner

    from amauta_cli.cli.main import app

    argv = (["--db-url", url] if url else []) + list(args)
    if url in _DIRECTAS and "AMAUTA_DIRECT_URL" not in (env or {}):
        env = dict(env or {}, AMAUTA_DIRECT_URL=_DIRECTAS[url])
    r = CliRunner(env=env).invoke(app, argv, input=input)
    exc = r.exception if r.exception and not isinstance(r.exception, SystemExit) else None
    return Salida(r.exit_code, r.stdout, r.stderr, exc)


@pytest.fixture
def cli(bd) -> Callable[..., Salida]:
    """``cli("db", "estado")`` corre ``amauta --db-url <bd> db estado``."""

    def correr(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Salida:
        return invocar(bd.url, *args, input=input, env=env)

    return correr


# --- Datos de desarrollo (amauta seed) -------------------------------------------------------------
def _sembrar(url: str) -> None:
    from amauta_cli.services.seed import sembrar

    sembrar(url)


@pytest.fixture
def bd_seed(crear_plantilla) -> BaseDePrueba:
    """Una base nueva con los datos de desarrollo de ``amauta seed`` (``data/seed.yaml``).

    Es un clon de una plantilla sembrada una vez por sesión: 8 usuarios, el grupo
    "4to Grado A" con Lucas y Valentina, su asistencia de los últimos 5 días hábiles
    (contados desde el día en que corre la suite), 4 calificaciones, etc.
    """
    return crear_plantilla("seed", lambda url: _sembrar(url))


@pytest.fixture
def cli_seed(bd_seed) -> Callable[..., Salida]:
    """Como ``cli``, pero sobre ``bd_seed``: ``cli_seed("usuarios", "listar")``."""

    def correr(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Salida:
        return invocar(bd_seed.url, *args, input=input, env=env)

    return correr


# --- Escuelas de prueba (tests/fabrica.py) -----------------------------------------------------------
def escuela_de_prueba(crear_plantilla, escenario: str, **opciones: Any) -> BaseDePrueba:
    """Un clon de la escuela ``escenario`` de ``fabrica.py``, construida una vez por sesión y motor."""
    import fabrica

    nombre = "_".join(["fabrica", escenario, *(f"{k}{v}" for k, v in sorted(opciones.items()))])
    return crear_plantilla(nombre, fabrica.preparar(escenario, **opciones))


@pytest.fixture
def escuela(crear_plantilla) -> BaseDePrueba:
    """La escuela del escenario ``usuarios`` (contraseñas bcrypt reales de ``fabrica.PASSWORD``)."""
    return escuela_de_prueba(crear_plantilla, "usuarios")


@pytest.fixture
def amauta(escuela) -> Callable[..., Salida]:
    """``amauta("usuarios", "listar")`` corre ``amauta --db-url <escuela> usuarios listar``."""

    def correr(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Salida:
        return invocar(escuela.url, *args, input=input, env=env)

    return correr


@pytest.fixture
def bdc(crear_plantilla) -> BaseDePrueba:
    """La escuela del escenario ``calificaciones`` (notas del diseño y sus casos límite)."""
    return escuela_de_prueba(crear_plantilla, "calificaciones")


@pytest.fixture
def bd_datos(crear_plantilla) -> BaseDePrueba:
    """El escenario ``respaldo``: datos variados en las 14 tablas."""
    return escuela_de_prueba(crear_plantilla, "respaldo")


@pytest.fixture
def escuelas(crear_plantilla) -> BaseDePrueba:
    """El escenario ``distrito``: dos escuelas, para la seguridad por filas y la auditoría."""
    return escuela_de_prueba(crear_plantilla, "distrito")


@pytest.fixture
def roles_escuela(escuelas) -> Iterator[tuple]:
    """Un rol para la escuela A y otro para la B sobre ``escuelas``; se borran al terminar."""
    import fabrica

    hechos: list[str] = []
    try:
        a = fabrica.crear_rol(escuelas.url, fabrica.INST_A, "a")
        hechos.append(a.rol)
        b = fabrica.crear_rol(escuelas.url, fabrica.INST_B, "b")
        hechos.append(b.rol)
        yield a, b
    finally:
        fabrica.borrar_roles(hechos)


@pytest.fixture(scope="session", autouse=True)
def _sin_roles_huerfanos() -> Iterator[None]:
    """Los roles de escuela que alguna prueba haya dejado se borran al final de la sesión."""
    yield
    import sys

    fabrica = sys.modules.get("fabrica")
    if fabrica is not None and fabrica.roles_creados:
        try:
            fabrica.borrar_roles(list(fabrica.roles_creados))
        except Exception:  # noqa: BLE001 - sin servidor, no hay nada que borrar
            pass
