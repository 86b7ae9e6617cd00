"""Respaldos frente a archivos hostiles y datos personales (issue 11, puntos 1, 2, 3, 5 y 6).

- Un volcado SQL con metacomandos de psql (``\\!``, ``\\o``, ``\\copy ... program``...) no
  ejecuta nada, ni al verificarlo ni al restaurarlo.
- Un enlace simbólico plantado donde amauta escribía sus temporales no se sigue.
- Las copias sin comprimir de SQLite nunca quedan legibles por otros, y un respaldo sin
  lugar en el disco se rechaza antes de empezar.
- ``--conservar`` solo borra respaldos con el nombre de amauta y un manifiesto propio.
- Archivos 600, carpetas 700.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import BaseDePrueba, invocar
from hypothesis import given, settings
from hypothesis import strategies as st


def _modo(ruta: Path) -> int:
    return stat.S_IMODE(ruta.lstat().st_mode)


# --- 11.1: nada de un respaldo llega a un shell ni a un metacomando de psql ------------------------
CABECERA = (
    "--\n-- PostgreSQL database dump\n--\n\n"
    "-- Dumped from database version 15.20\n-- Dumped by pg_dump version 15.20\n\n"
    "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n"
    "SET standard_conforming_strings = on;\n"
)
PIE = "\n--\n-- PostgreSQL database dump complete\n--\n\n"


def _volcado_con_manifiesto(carpeta: Path, cuerpo: str, nombre: str = "amauta-20250101-000000.sql") -> Path:
    """Un volcado SQL con el encabezado de pg_dump y un manifiesto con su SHA-256 verdadero."""
    carpeta.mkdir(parents=True, exist_ok=True)
    archivo = carpeta / nombre
    datos = (CABECERA + cuerpo + PIE).encode()
    archivo.write_bytes(datos)
    (carpeta / f"{nombre}.json").write_text(json.dumps({
        "tipo": "amauta-respaldo", "version_manifiesto": 1, "archivo": nombre, "motor": "postgresql",
        "formato": "sql", "base": "amauta", "servidor": "127.0.0.1:5432", "revision": None,
        "entorno": None, "tablas": {}, "filas": 0, "sha256": hashlib.sha256(datos).hexdigest(),
        "tamano": len(datos), "inicio": "2025-01-01T00:00:00.000-03:00",
        "fin": "2025-01-01T00:00:01.000-03:00", "motivo": None, "version_amauta": "0.1.0",
    }))
    return archivo


@pytest.mark.parametrize(
    "linea",
    [
        "\\! touch {marca}",
        "  \\! touch {marca}",
        "\\o {marca}",
        "\\copy (SELECT 1) TO PROGRAM 'touch {marca}'",
        "\\set x `touch {marca}`",
        "\\i {marca}",
        "\\c otra_base",
        "\\unrestrict `touch {marca}`",
    ],
)
def test_volcado_con_metacomando_no_ejecuta_nada(bd_datos, tmp_path, linea):
    marca = tmp_path / "ejecutado"
    archivo = _volcado_con_manifiesto(tmp_path / "r", "SELECT 1;\n" + linea.format(marca=marca) + "\n")
    antes = bd_datos.instantanea()
    for args in (("verificar-backup", str(archivo)), ("restore", str(archivo), "--limpiar", "--si")):
        r = invocar(bd_datos.url, "db", *args)
        assert r.codigo == 1, r.texto
        assert "metacomando de psql en la línea 12" in r.stderr, r.stderr
        assert "No se tocó ninguna base" in r.stderr
        assert "Traceback" not in r.texto
        assert not marca.exists(), f"{args[0]} ejecutó {linea}"
    assert bd_datos.instantanea() == antes
    if bd_datos.motor == "postgresql":
        # (Otras suites pueden estar verificando en el mismo servidor: solo las de este proceso.)
        assert not bd_datos.valor(
            "SELECT count(*) FROM pg_database WHERE datname LIKE :patron",
            patron=f"amauta\\_verificar\\_%\\_{os.getpid()}\\_%",
        ), "ni siquiera se creó la base desechable"


def test_barras_en_los_datos_de_copy_y_restrict_de_pg_dump_se_aceptan(bd_datos, tmp_path):
    """``\\N`` (NULL) y ``\\\\`` en los datos de COPY, y los ``\\restrict``/``\\unrestrict``
    que escribe pg_dump, no son metacomandos."""
    from amauta_cli.services.respaldo.inspeccion import revisar_sql

    cuerpo = (
        "\\restrict abcDEF123\n"
        "CREATE TABLE t (a text, b text);\n"
        "COPY public.t (a, b) FROM stdin;\n\\N\tx\n\\\\! no es un comando\t\\N\n\\.\n"
        "\\unrestrict abcDEF123\n"
    )
    archivo = _volcado_con_manifiesto(tmp_path, cuerpo, "ajeno.sql")
    assert revisar_sql(archivo, comprimido=False) is True


solo_postgresql = pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
solo_sqlite = pytest.mark.parametrize("motor", ["sqlite"], indirect=True)


@solo_postgresql
def test_metacomando_a_mitad_de_linea_lo_frena_el_modo_restringido(bd_datos, tmp_path):
    """Lo que el filtro por líneas no ve (``SELECT 1; \\! ...``) lo rechaza psql en modo
    restringido (``\\restrict`` con una clave al azar), y la restauración se deshace."""
    marca = tmp_path / "ejecutado"
    archivo = _volcado_con_manifiesto(
        tmp_path / "r", f"CREATE TABLE intrusa (x int);\nSELECT 1; \\! touch {marca}\n"
    )
    antes = bd_datos.instantanea()
    r = invocar(bd_datos.url, "db", "verificar-backup", str(archivo))
    assert r.codigo == 1, r.texto
    assert "metacomando de psql a mitad de una línea" in r.stderr
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 1, r.texto
    assert "metacomando de psql a mitad de una línea" in r.stderr
    assert "la base quedó como estaba" in r.stderr
    assert not marca.exists()
    assert bd_datos.instantanea() == antes
    assert bd_datos.valor("SELECT to_regclass('public.intrusa')") is None


def _psql_viejo(carpeta: Path) -> None:
    """Un psql que dice ser 15.13 (sin ``\\restrict``) y un pg_restore/pg_dump reales."""
    carpeta.mkdir()
    for nombre in ("psql", "pg_restore", "pg_dump"):
        real = shutil.which(nombre)
        ruta = carpeta / nombre
        version = 'if [ "$1" = "--version" ]; then echo "psql (PostgreSQL) 15.13"; exit 0; fi\n'
        ruta.write_text("#!/bin/sh\n" + (version if nombre == "psql" else "") + f'exec "{real}" "$@"\n')
        ruta.chmod(0o755)


@solo_postgresql
def test_psql_sin_restrict_no_recibe_volcados(bd_datos, tmp_path, monkeypatch):
    """Un psql sin modo restringido no recibe nada de un respaldo: el SQL plano se rechaza
    (diciendo qué instalar) y el custom se restaura con pg_restore directo."""
    r = invocar(bd_datos.url, "db", "backup", "--formato", "sql", "--salida", str(tmp_path / "r.sql"))
    assert r.codigo == 0, r.texto
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0, r.texto
    _psql_viejo(tmp_path / "viejo")
    monkeypatch.setenv("AMAUTA_PG_BIN", str(tmp_path / "viejo"))
    antes = bd_datos.instantanea()
    for args in (("verificar-backup", str(tmp_path / "r.sql")),
                 ("restore", str(tmp_path / "r.sql"), "--limpiar", "--si")):
        r = invocar(bd_datos.url, "db", *args)
        assert r.codigo == 1, r.texto
        assert "no tiene el modo restringido de psql" in r.stderr
        assert "15.14" in r.stderr and "No se tocó ninguna base" in r.stderr
    assert bd_datos.instantanea() == antes
    assert not (tmp_path / "xdg-data" / "amauta" / "respaldos").exists(), "ni el respaldo de seguridad"
    bd_datos.ejecutar('DELETE FROM "Comunicado"')
    r = invocar(bd_datos.url, "db", "restore", str(tmp_path / "r.dump"), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert bd_datos.instantanea() == antes
    r = invocar(bd_datos.url, "db", "verificar-backup", str(tmp_path / "r.dump"))
    assert r.codigo == 0, r.texto


# --- 11.2: los temporales no siguen enlaces simbólicos ------------------------------------------------
def test_enlaces_plantados_en_los_nombres_temporales_no_se_siguen(bd_datos, tmp_path):
    carpeta = tmp_path / "r"
    carpeta.mkdir()
    victimas = []
    for nombre in (".X.dump.parcial", ".X.dump.json.parcial"):
        victima = tmp_path / f"victima{len(victimas)}.txt"
        victima.write_text("no tocar")
        (carpeta / nombre).symlink_to(victima)
        victimas.append(victima)
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(carpeta / "X.dump"))
    assert r.codigo == 0, r.texto
    for v in victimas:
        assert v.read_bytes() == b"no tocar"
    archivo = carpeta / "X.dump"
    assert archivo.is_file() and not archivo.is_symlink()
    m = json.loads((carpeta / "X.dump.json").read_text())
    assert m["sha256"] == hashlib.sha256(archivo.read_bytes()).hexdigest()
    assert not (carpeta / "X.dump.json").is_symlink()


@pytest.mark.rapida
def test_destino_que_es_un_enlace_simbolico_se_rechaza(bd_datos, tmp_path):
    carpeta = tmp_path / "r"
    carpeta.mkdir()
    objetivo = tmp_path / "otro-lado" / "y.dump"
    (carpeta / "Y.dump").symlink_to(objetivo)  # un enlace que apunta a la nada
    (carpeta / "Z.dump.json").symlink_to(tmp_path / "manifiesto-ajeno.json")
    for nombre, enlace in (("Y.dump", "Y.dump"), ("Z.dump", "Z.dump.json")):
        r = invocar(bd_datos.url, "db", "backup", "--salida", str(carpeta / nombre))
        assert r.codigo == 1, r.texto
        assert "enlace simbólico" in r.stderr and enlace in r.stderr
    assert not objetivo.parent.exists() and not (tmp_path / "manifiesto-ajeno.json").exists()


# --- 11.3: SQLite nunca deja una copia sin comprimir legible -----------------------------------------
@solo_sqlite
def test_sin_espacio_para_la_copia_se_rechaza_antes_de_empezar(bd_datos, tmp_path, monkeypatch):
    """El respaldo necesita la copia temporal más el archivo comprimido: si no hay lugar,
    lo dice (cuánto hace falta y cuánto hay) y no escribe nada."""
    from amauta_cli.db import ruta_sqlite

    tamano = ruta_sqlite(bd_datos.url).stat().st_size
    carpeta = tmp_path / "r"
    carpeta.mkdir()
    real = shutil.disk_usage

    def disco_casi_lleno(ruta):
        u = real(ruta)
        return u._replace(free=tamano) if Path(ruta).resolve() == carpeta.resolve() else u

    monkeypatch.setattr(shutil, "disk_usage", disco_casi_lleno)
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/")
    assert r.codigo == 1, r.texto
    assert "No hay espacio suficiente" in r.stderr and "hacen falta unos" in r.stderr
    assert list(carpeta.iterdir()) == []
    monkeypatch.setattr(shutil, "disk_usage", real)
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/")
    assert r.codigo == 0, r.texto


@solo_sqlite
def test_un_error_a_mitad_del_respaldo_no_deja_la_copia(bd_datos, tmp_path, monkeypatch):
    """Un error al comprimir (p. ej. disco lleno) no deja la copia sin comprimir, ni su
    journal, ni el archivo a medias."""
    import gzip

    def falla(*_a, **_k):
        raise OSError(28, "No queda espacio en el dispositivo")

    monkeypatch.setattr(gzip.GzipFile, "write", falla)
    carpeta = tmp_path / "r"
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/")
    assert r.codigo != 0
    assert list(carpeta.iterdir()) == []


# --- 11.5: --conservar solo borra respaldos propios ---------------------------------------------------
def test_conservar_no_borra_archivos_ajenos_aunque_su_manifiesto_lo_parezca(bd_datos, tmp_path):
    carpeta = tmp_path / "r"
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/")
    assert r.codigo == 0, r.texto
    (propio,) = [p for p in carpeta.iterdir() if not p.name.endswith(".json")]
    m = json.loads(Path(f"{propio}.json").read_text())
    viejo = dict(m, inicio="2000-01-01T00:00:00.000-03:00")
    # notas.txt con un manifiesto que parece de amauta, de esta base y viejísimo.
    (carpeta / "notas.txt").write_text("no tocar")
    (carpeta / "notas.txt.json").write_text(json.dumps(dict(viejo, archivo="notas.txt")))
    # Con el nombre de amauta, pero su manifiesto dice ser de otro archivo.
    ajeno = carpeta / f"amauta-20000101-000000{''.join(propio.suffixes)}"
    ajeno.write_text("tampoco")
    Path(f"{ajeno}.json").write_text(json.dumps(dict(viejo, archivo=propio.name)))
    for _ in range(2):
        r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/", "--conservar", "2")
        assert r.codigo == 0, r.texto
    quedan = {p.name for p in carpeta.iterdir()}
    assert {"notas.txt", "notas.txt.json", ajeno.name, f"{ajeno.name}.json"} <= quedan
    assert (carpeta / "notas.txt").read_text() == "no tocar"
    assert propio.name not in quedan, "el respaldo propio más viejo sí se borró"
    assert len([n for n in quedan if n.startswith("amauta-2") and not n.endswith(".json")
                and n != ajeno.name]) == 2


# --- 11.6: 600 y 700 ---------------------------------------------------------------------------------
def test_carpetas_intermedias_700_y_archivos_600(bd_datos, tmp_path):
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{tmp_path}/a/b/c/")
    assert r.codigo == 0, r.texto
    for d in ("a", "a/b", "a/b/c"):
        assert _modo(tmp_path / d) == 0o700, d
    archivos = list((tmp_path / "a" / "b" / "c").iterdir())
    assert len(archivos) == 2 and all(_modo(p) == 0o600 for p in archivos)
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "x" / "y" / "r.resp"))
    assert r.codigo == 0, r.texto
    assert _modo(tmp_path / "x") == 0o700 and _modo(tmp_path / "x" / "y") == 0o700


@pytest.mark.rapida
@solo_sqlite
def test_restaurar_sqlite_en_una_ruta_nueva_crea_la_base_600(bd_datos, tmp_path):
    """La base nueva (y lo que quede junto a ella) es 600; la carpeta debe existir (amauta no
    crea carpetas a partir de una URL, ver test_config)."""
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.db.gz"))
    assert r.codigo == 0, r.texto
    nueva = tmp_path / "nueva" / "base.db"
    nueva.parent.mkdir(mode=0o755)
    r = invocar(f"sqlite:///{nueva}", "db", "restore", str(tmp_path / "r.db.gz"), "--si")
    assert r.codigo == 0, r.texto
    assert _modo(nueva) == 0o600
    for p in nueva.parent.iterdir():  # y su -wal/-shm, si los hay
        assert p.name.startswith("base.db") and _modo(p) == 0o600, p.name
    assert bd_datos.instantanea() == BaseDePrueba("sqlite", f"sqlite:///{nueva}").instantanea()


@solo_sqlite
def test_restaurar_sqlite_conserva_los_permisos_del_destino(bd_datos, tmp_path):
    """Reemplazar una base existente conserva su modo (p. ej. 640 elegido por el usuario)."""
    from amauta_cli.db import ruta_sqlite

    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.db.gz"))
    assert r.codigo == 0, r.texto
    destino = ruta_sqlite(bd_datos.url)
    os.chmod(destino, 0o640)
    r = invocar(bd_datos.url, "db", "restore", str(tmp_path / "r.db.gz"), "--limpiar", "--si",
                "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert _modo(destino) == 0o640


@solo_sqlite
def test_ninguna_copia_legible_por_otros_durante_el_respaldo(bd_datos, tmp_path):
    """Mientras corre el respaldo (se lo mata con SIGKILL a mitad de camino), todo lo que
    hay en la carpeta es 600 dentro de carpetas 700."""
    import signal
    import sys
    import time

    from fabrica import agregar_asistencias

    agregar_asistencias(bd_datos, 300_000)
    carpeta = tmp_path / "r"
    carpeta.mkdir(mode=0o755)
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "amauta_cli", "--db-url", bd_datos.url, "db", "backup",
         "--salida", f"{carpeta}/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        fin = time.monotonic() + 60
        while time.monotonic() < fin and proc.poll() is None:
            if any(p.name.startswith(".") for p in carpeta.iterdir()):
                break
            time.sleep(0.002)
        assert proc.poll() is None, "el respaldo terminó antes de poder interrumpirlo"
        time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    restos = list(carpeta.iterdir())
    assert restos, "quedó el temporal del proceso muerto"
    for raiz, dirs, archivos in os.walk(carpeta):
        for d in dirs:
            assert _modo(Path(raiz) / d) == 0o700, d
        for a in archivos:
            assert _modo(Path(raiz) / a) == 0o600, a
    # db backups lo lista y el próximo respaldo lo borra.
    r = invocar(bd_datos.url, "db", "backups", str(carpeta))
    assert "su proceso ya no existe" in r.stderr, r.stderr
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/")
    assert r.codigo == 0, r.texto
    assert "de respaldos, verificaciones o restauraciones interrumpidos" in r.stderr
    assert not [p for p in carpeta.iterdir() if p.name.startswith(".")]


VOLCADO = (
    CABECERA
    + "\\restrict Clave123\n"
    + "CREATE TABLE t (a text, b text);\n"
    + "COPY public.t (a, b) FROM stdin;\n\\N\tx\n\\\\! dato\t\\N\nfin\tde datos\n\\.\n"
    + "SELECT 'texto \\ con barra';\n"
    + "COPY public.u (a) FROM stdin;\r\n\\N\r\n\\.\r\n"
    + "\\unrestrict Clave123\n"
    + PIE
).encode()


@settings(max_examples=300, deadline=None)
@given(cortes=st.lists(st.integers(min_value=0, max_value=len(VOLCADO)), max_size=12),
       malo=st.sampled_from([None, b"\\! id\n", b"  \\o /tmp/x\n", b"\\copy t to program 'id'\n"]))
def test_filtro_sql_da_lo_mismo_en_cualquier_corte_de_bloques(cortes, malo):
    """El volcado se lee por bloques: el resultado (y el rechazo) no depende de dónde caen
    los cortes, ni siquiera a mitad de ``\\.`` o de un ``\\r\\n``."""
    from amauta_cli.services.respaldo.inspeccion import FiltroSQL, MetacomandoEnRespaldo

    datos = VOLCADO if malo is None else VOLCADO.replace(b"SELECT 'texto", malo + b"SELECT 'texto")
    puntos = sorted(set(cortes)) + [len(datos)]
    filtro, salida, previo = FiltroSQL("x.sql"), b"", 0
    try:
        for p in puntos:
            salida += filtro.filtrar(datos[previo:p])
            previo = p
        salida += filtro.terminar()
    except MetacomandoEnRespaldo as e:
        assert malo is not None, "rechazó un volcado sano"
        assert "línea 18" in e.mensaje
        return
    assert malo is None, "dejó pasar un metacomando"
    assert salida == datos.replace(b"\\restrict Clave123\n", b"").replace(b"\\unrestrict Clave123\n", b"")
