"""Respaldos de PostgreSQL y las herramientas estándar: pg_restore y psql restauran lo que
hace amauta, amauta restaura lo que hace pg_dump, las contraseñas nunca van en argv y un
pg_dump viejo se rechaza diciendo qué instalar."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import PG_ADMIN_URL, REQUIERE_PG, BaseDePrueba, invocar, pg_disponible
from fabrica import agregar_asistencias


@pytest.fixture(params=["postgresql"])
def motor(request) -> str:
    """Este módulo es solo de PostgreSQL: reemplaza la parametrización de conftest."""
    if not pg_disponible():
        if REQUIERE_PG:
            pytest.fail(f"PostgreSQL no responde en {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL no disponible")
    return request.param


@pytest.fixture
def pg(motor) -> None:
    assert motor == "postgresql"


def _env(bd: BaseDePrueba) -> dict[str, str]:
    from amauta_cli.services.respaldo import entorno_pg

    # Las herramientas de PostgreSQL van directo al servidor, también en la pata de PgBouncer.
    return entorno_pg(bd.url_directa)


def _nombre(bd: BaseDePrueba) -> str:
    return bd.url.rsplit("/", 1)[-1]


def _modificar(bd: BaseDePrueba) -> None:
    bd.ejecutar('DELETE FROM "Comunicado"')
    bd.ejecutar("UPDATE \"Usuario\" SET apellido = 'X'")


def test_respaldo_custom_se_restaura_con_pg_restore_a_secas(bd_datos, bd_vacia, tmp_path):
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0, r.texto
    p = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", _nombre(bd_vacia), str(tmp_path / "r.dump")],
        env=_env(bd_vacia), capture_output=True, text=True,
    )
    assert p.returncode == 0, p.stderr
    assert bd_vacia.instantanea() == bd_datos.instantanea()


def test_respaldo_sql_ida_y_vuelta_y_con_psql_a_secas(bd_datos, bd_vacia, tmp_path):
    antes = bd_datos.instantanea()
    r = invocar(bd_datos.url, "db", "backup", "--formato", "sql", "--salida", f"{tmp_path}/")
    assert r.codigo == 0, r.texto
    (archivo,) = tmp_path.glob("amauta-*.sql")
    assert "PostgreSQL database dump complete" in archivo.read_text(encoding="utf-8")
    p = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", _nombre(bd_vacia),
         "-f", str(archivo)],
        env=_env(bd_vacia), capture_output=True, text=True,
    )
    assert p.returncode == 0, p.stderr
    assert bd_vacia.instantanea() == antes
    _modificar(bd_datos)
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si")
    assert r.codigo == 0, r.texto
    assert bd_datos.instantanea() == antes


@pytest.mark.parametrize("formato", ["custom", "sql", "sql.gz"])
def test_volcado_de_pg_dump_sin_amauta_se_restaura_con_aviso(bd_datos, tmp_path, formato):
    antes = bd_datos.instantanea()
    archivo = tmp_path / f"nocturno.{formato}"
    args = ["pg_dump", "-d", _nombre(bd_datos)] + (["-Fc"] if formato == "custom" else [])
    salida = subprocess.run(args, env=_env(bd_datos), capture_output=True, check=True).stdout
    archivo.write_bytes(gzip.compress(salida) if formato == "sql.gz" else salida)
    _modificar(bd_datos)
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si")
    assert r.codigo == 0, r.texto
    assert "no tiene manifiesto" in r.stderr
    assert bd_datos.instantanea() == antes


def test_volcados_ajenos_danados_no_tocan_la_base(bd_datos, tmp_path):
    """Sin manifiesto no hay SHA-256: igual, un volcado a medias o con errores se deshace entero."""
    agregar_asistencias(bd_datos, 20_000)  # que el corte caiga en los datos, no en el índice
    salida = subprocess.run(["pg_dump", "-d", _nombre(bd_datos), "-Fc"], env=_env(bd_datos),
                            capture_output=True, check=True).stdout
    sql = subprocess.run(["pg_dump", "-d", _nombre(bd_datos)], env=_env(bd_datos),
                         capture_output=True, check=True).stdout
    _modificar(bd_datos)
    antes = bd_datos.instantanea()
    casos = {
        # custom cortado al 80 %: pg_restore falla a mitad de los datos, sin COMMIT.
        "cortado.dump": (salida[: len(salida) * 4 // 5], "se deshizo"),
        # SQL sin el pie de pg_dump: se rechaza antes de empezar.
        "cortado.sql": (sql[: len(sql) // 2], "incompleto"),
        # SQL completo pero con un error en el medio: psql se detiene y nada queda.
        "con-error.sql": (sql.replace(b"\\.\n", b"\\.\nSELECT no_existe();\n", 1), "se deshizo"),
    }
    for nombre, (datos, texto) in casos.items():
        (tmp_path / nombre).write_bytes(datos)
        r = invocar(bd_datos.url, "db", "restore", str(tmp_path / nombre), "--limpiar", "--si",
                    "--sin-respaldo")
        assert r.codigo == 1, (nombre, r.texto)
        assert texto in r.stderr, (nombre, r.stderr)
        assert bd_datos.instantanea() == antes, nombre


def _envoltorio(carpeta: Path, nombre: str, registro: Path) -> None:
    """Un pg_dump/pg_restore/psql que anota sus argumentos y PGPASSWORD y llama al real."""
    real = subprocess.run(["which", nombre], capture_output=True, text=True, check=True).stdout.strip()
    ruta = carpeta / nombre
    ruta.write_text(
        "#!/bin/sh\n"
        f'echo "argv: $0 $* | env: PGPASSWORD=$PGPASSWORD PGDATABASE=$PGDATABASE" >> "{registro}"\n'
        f'exec "{real}" "$@"\n'
    )
    ruta.chmod(0o755)


def test_la_contrasena_va_por_el_entorno_nunca_en_argv(bd_datos, tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    registro = tmp_path / "registro.txt"
    for h in ("pg_dump", "pg_restore", "psql"):
        _envoltorio(bin_, h, registro)
    monkeypatch.setenv("AMAUTA_PG_BIN", str(bin_))
    secreto = "s3cr3t-Ñandú"
    from urllib.parse import quote

    url = bd_datos.url.replace("postgres@", f"postgres:{quote(secreto)}@")
    r = invocar(url, "db", "backup", "--salida", f"{tmp_path}/r/", "--verificar")
    assert r.codigo == 0, r.texto
    (archivo,) = [p for p in (tmp_path / "r").iterdir() if not p.name.endswith(".json")]
    r2 = invocar(url, "db", "restore", str(archivo), "--limpiar", "--si")
    assert r2.codigo == 0, r2.texto
    lineas = registro.read_text(encoding="utf-8").splitlines()
    argv = [lin for lin in lineas if lin.startswith("argv:")]
    assert {a.split()[1].rsplit("/", 1)[-1] for a in argv} >= {"pg_dump", "pg_restore", "psql"}
    solo_argv = [a.split(" | ")[0] for a in argv]
    assert not [a for a in solo_argv if secreto in a or quote(secreto) in a]
    assert not [a for a in argv if "--version" not in a and f"PGPASSWORD={secreto} " not in a]
    for texto in (r.texto, r2.texto, Path(str(archivo) + ".json").read_text(encoding="utf-8")):
        assert secreto not in texto and quote(secreto) not in texto


def _falso(carpeta: Path, nombre: str, version: str | None) -> None:
    """Un programa falso que dice ser de ``version``; sin versión, un enlace al psql real."""
    carpeta.mkdir(exist_ok=True)
    if version is None:
        real = subprocess.run(["which", nombre], capture_output=True, text=True, check=True).stdout
        (carpeta / nombre).symlink_to(real.strip())
        return
    ruta = carpeta / nombre
    ruta.write_text(f'#!/bin/sh\necho "{nombre} (PostgreSQL) {version}"\n')
    ruta.chmod(0o755)


def test_pg_dump_viejo_o_ausente_se_rechaza_diciendo_que_instalar(bd_datos, tmp_path, monkeypatch):
    mayor = int(bd_datos.valor("SHOW server_version_num")) // 10000
    _falso(tmp_path / "viejo", "pg_dump", "12.18 (Debian)")
    _falso(tmp_path / "viejo", "psql", None)
    monkeypatch.setenv("AMAUTA_PG_BIN", str(tmp_path / "viejo"))
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{tmp_path}/r/")
    assert r.codigo == 1
    assert "PostgreSQL 12" in r.stderr and f"postgresql-client-{mayor}" in r.stderr
    assert not list((tmp_path / "r").iterdir())
    _falso(tmp_path / "vacia", "psql", None)
    monkeypatch.setenv("AMAUTA_PG_BIN", str(tmp_path / "vacia"))
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{tmp_path}/r/")
    assert r.codigo == 1
    assert "No se encontró `pg_dump`" in r.stderr and f"postgresql-client-{mayor}" in r.stderr
    assert not list((tmp_path / "r").iterdir())


def test_verificar_backup_de_postgresql_necesita_un_servidor(bd_datos, tmp_path):
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0
    r = invocar(f"sqlite:///{tmp_path / 'x.db'}", "db", "verificar-backup", str(tmp_path / "r.dump"))
    assert r.codigo == 1
    assert "hace falta un servidor PostgreSQL" in r.stderr


def test_limpiar_conserva_el_esquema_y_borra_lo_ajeno(bd_datos, tmp_path):
    """--limpiar reemplaza el contenido del esquema: lo que no está en el respaldo desaparece,
    y el esquema public sigue siendo el mismo objeto (dueño y permisos intactos)."""
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0
    oid = bd_datos.valor("SELECT oid FROM pg_namespace WHERE nspname = 'public'")
    bd_datos.ejecutar("CREATE TABLE ajena (x int)")
    bd_datos.ejecutar("CREATE VIEW vista_ajena AS SELECT 1 AS uno")
    bd_datos.ejecutar("CREATE TYPE tipo_ajeno AS ENUM ('a')")
    bd_datos.ejecutar("CREATE FUNCTION fn_ajena() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    r = invocar(bd_datos.url, "db", "restore", str(tmp_path / "r.dump"), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert bd_datos.valor("SELECT to_regclass('public.ajena')") is None
    assert bd_datos.valor("SELECT to_regclass('public.vista_ajena')") is None
    assert bd_datos.valor("SELECT to_regtype('public.tipo_ajeno')") is None
    assert bd_datos.valor("SELECT count(*) FROM pg_proc WHERE proname = 'fn_ajena'") == 0
    assert bd_datos.valor("SELECT oid FROM pg_namespace WHERE nspname = 'public'") == oid
    json.loads((tmp_path / "r.dump.json").read_text())  # el manifiesto sigue ahí


def test_entorno_pg_traduce_la_url(monkeypatch):
    from amauta_cli.services.respaldo import entorno_pg

    monkeypatch.delenv("PGPASSWORD", raising=False)
    env = entorno_pg(
        "postgresql+psycopg://ana:p%40ss@db.escuela.local:6543/amauta_prod?sslmode=require&options=-c%20x%3D1"
    )
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.escuela.local", "6543", "ana", "amauta_prod")
    assert env["PGPASSWORD"] == "p@ss"
    assert env["PGSSLMODE"] == "require" and env["PGOPTIONS"] == "-c x=1"
    sin = entorno_pg("postgresql+psycopg://ana@/amauta?host=/var/run/postgresql")
    assert sin["PGHOST"] == "/var/run/postgresql" and "PGPASSWORD" not in sin
    assert os.environ.get("PGPASSWORD") is None


@pytest.mark.rapida
def test_servidor_o_base_inexistente_se_explica_en_espanol(pg, tmp_path):
    from conftest import url_pg

    r = invocar(url_pg("amauta_no_existe_nunca"), "db", "backup", "--salida", f"{tmp_path}/r/")
    assert r.codigo == 1
    assert "no existe" in r.stderr and "createdb" in r.stderr
    r = invocar("postgresql://postgres@127.0.0.1:1/x", "db", "backup", "--salida", f"{tmp_path}/r/")
    assert r.codigo == 1
    assert "No se pudo conectar" in r.stderr
    # Sin conexión no se escribe nada (ni la carpeta: se comprueba la base antes de crearla).
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").iterdir())


def _restaurar_servicio(bd: BaseDePrueba, archivo: Path, directo: bool | None = None):
    from amauta_cli.services import respaldo

    insp = respaldo.inspeccionar(archivo)
    plan = respaldo.planificar_restauracion(bd.url, insp, limpiar=True)
    elegido = plan.directo
    if directo is not None:
        plan.directo = directo
    return elegido, respaldo.restaurar(plan)


def test_camino_directo_solo_cuando_equivale_al_general(bd_datos, tmp_path):
    """Con el mismo esquema y sin marca que conservar, pg_restore --clean a secas; con
    objetos que el respaldo no trae, o una marca de entorno distinta, el general (psql)."""
    antes = bd_datos.instantanea()
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0
    _modificar(bd_datos)
    elegido, res = _restaurar_servicio(bd_datos, tmp_path / "r.dump")
    assert (elegido, res.via) == (True, "pg_restore")
    assert res.verificacion.ok and bd_datos.instantanea() == antes

    bd_datos.ejecutar("CREATE SEQUENCE secuencia_ajena")
    elegido, res = _restaurar_servicio(bd_datos, tmp_path / "r.dump")
    assert (elegido, res.via) == (False, "psql")
    assert bd_datos.instantanea() == antes
    assert bd_datos.valor("SELECT to_regclass('public.secuencia_ajena')") is None

    assert invocar(bd_datos.url, "db", "entorno", "desarrollo").codigo == 0
    elegido, res = _restaurar_servicio(bd_datos, tmp_path / "r.dump")
    assert (elegido, res.via) == (False, "psql")
    assert bd_datos.valor("SELECT valor FROM \"_amauta_meta\" WHERE clave = 'entorno'") == "desarrollo"


def test_si_el_camino_directo_falla_se_deshace_y_sigue_el_general(bd_datos, tmp_path):
    """Una vista ajena que depende de una tabla hace fallar el DROP TABLE de pg_restore
    --clean: esa transacción se deshace entera y el camino general (DROP ... CASCADE) restaura."""
    antes = bd_datos.instantanea()
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0
    _modificar(bd_datos)
    bd_datos.ejecutar('CREATE VIEW vista_ajena AS SELECT id FROM "Usuario"')
    _, res = _restaurar_servicio(bd_datos, tmp_path / "r.dump", directo=True)  # plan forzado
    assert res.via == "psql"
    assert res.verificacion.ok and bd_datos.instantanea() == antes
    assert bd_datos.valor("SELECT to_regclass('public.vista_ajena')") is None


def test_revisiones_conocidas_sin_alembic_coinciden_con_alembic():
    from amauta_cli.services.esquema import cabeza, revisiones
    from amauta_cli.services.respaldo import revisiones_conocidas

    assert list(revisiones_conocidas()) == [s.revision for s in revisiones()]
    assert revisiones_conocidas()[-1] == cabeza()


@pytest.mark.parametrize("coincide", [True, False])
def test_restaurar_pasa_el_final_del_archivo_solo_si_el_sha_coincide(tmp_path, coincide):
    """El mecanismo de la sola pasada: amauta le pasa el volcado a pg_restore calculando el
    SHA-256; el último bloque (sin el cual pg_restore no termina ni confirma) sale solo si el
    SHA-256 coincide con el del manifiesto."""
    import hashlib
    import threading

    from amauta_cli.services.respaldo.comun import BLOQUE
    from amauta_cli.services.respaldo.inspeccion import Inspeccion
    from amauta_cli.services.respaldo.postgresql import _alimentar

    datos = os.urandom(2 * BLOQUE + 12345)
    archivo = tmp_path / "r.dump"
    archivo.write_bytes(datos)
    sha = hashlib.sha256(datos if coincide else b"otro").hexdigest()
    insp = Inspeccion(archivo, None, "custom", len(datos), sha)
    lectura, escritura = os.pipe()
    recibido = bytearray()

    def leer() -> None:
        while b := os.read(lectura, 1 << 16):
            recibido.extend(b)

    hilo = threading.Thread(target=leer)
    hilo.start()
    try:
        assert _alimentar(escritura, insp, retener_final=True) is coincide
    finally:
        os.close(escritura)
        hilo.join()
        os.close(lectura)
    assert bytes(recibido) == (datos if coincide else datos[: 2 * BLOQUE])
