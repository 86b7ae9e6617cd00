"""Restos de respaldos, verificaciones y restauraciones interrumpidos (issue 11, punto 4).

Procesos reales de ``amauta`` muertos con SIGKILL a mitad de camino: ``db backups`` lista
lo que dejaron, ``db backups --limpiar`` (y el próximo respaldo) lo borra, y nunca se toca
lo de un proceso vivo ni lo de otra máquina que siga en uso.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import BaseDePrueba, invocar
from fabrica import agregar_asistencias

solo_postgresql = pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
solo_sqlite = pytest.mark.parametrize("motor", ["sqlite"], indirect=True)


def _amauta(url: str, *args: str, tmp_path: Path, **env_extra: str) -> subprocess.Popen:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg-data"), COLUMNS="200", **env_extra)
    return subprocess.Popen(
        [sys.executable, "-m", "amauta_cli", "--db-url", url, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )


def _esperar(condicion, limite: float, que: str, proc: subprocess.Popen | None = None) -> None:
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        if condicion():
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"el proceso terminó antes de llegar a: {que}\n{proc.stderr.read().decode()}")
        time.sleep(0.005)
    pytest.fail(f"no se llegó a: {que}")


def _matar(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()


def _desechables(bd: BaseDePrueba, pid: int) -> list[str]:
    return [n for (n,) in bd.filas(
        "SELECT datname FROM pg_database WHERE datname LIKE :p", p=f"amauta\\_verificar\\_%\\_{pid}\\_%")]


@solo_postgresql
def test_verificacion_matada_deja_una_base_que_limpiar_borra(bd_datos, tmp_path):
    agregar_asistencias(bd_datos, 150_000)
    proc = _amauta(bd_datos.url, "db", "backup", "--verificar", "--salida", f"{tmp_path}/r/", tmp_path=tmp_path)

    def restaurando() -> bool:
        return bool(bd_datos.valor(
            "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid) "
            "WHERE a.application_name = 'amauta-verificar' AND a.datname LIKE :p AND p.tuples_processed > 0",
            p=f"amauta\\_verificar\\_%\\_{proc.pid}\\_%"))

    _esperar(restaurando, 120, "la restauración en la base desechable", proc)
    _matar(proc)
    (nombre,) = _desechables(bd_datos, proc.pid)
    _esperar(lambda: not bd_datos.valor(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = :n", n=nombre), 30, "el fin de sus conexiones")

    r = invocar(bd_datos.url, "db", "backups", str(tmp_path / "r"))
    assert r.codigo == 0, r.texto
    assert f"base desechable {nombre}" in r.stderr and "su proceso ya no existe" in r.stderr
    assert "db backups --limpiar" in r.stderr
    assert _desechables(bd_datos, proc.pid) == [nombre], "listar no borra nada"
    r = invocar(bd_datos.url, "db", "backups", str(tmp_path / "r"), "--limpiar")
    assert r.codigo == 0, r.texto
    assert f"borrado: base desechable {nombre}" in r.stderr
    assert _desechables(bd_datos, proc.pid) == []


@solo_postgresql
def test_limpiar_nunca_borra_la_base_de_una_verificacion_en_curso(bd_datos, tmp_path):
    agregar_asistencias(bd_datos, 150_000)
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.dump"))
    assert r.codigo == 0, r.texto
    proc = _amauta(bd_datos.url, "db", "verificar-backup", str(tmp_path / "r.dump"), tmp_path=tmp_path)
    _esperar(lambda: _desechables(bd_datos, proc.pid), 60, "la base desechable", proc)
    (nombre,) = _desechables(bd_datos, proc.pid)
    r = invocar(bd_datos.url, "db", "backups", "--limpiar")
    assert r.codigo == 0, r.texto
    assert f"borrado: base desechable {nombre}" not in r.stderr
    vista = _desechables(bd_datos, proc.pid)
    salida, errores = proc.communicate(timeout=120)
    assert vista == [nombre], "la base de la verificación en curso seguía ahí"
    assert proc.returncode == 0, errores.decode()
    assert "SHA-256 correcto" in errores.decode()
    assert _desechables(bd_datos, proc.pid) == [], "y al terminar la borró ella misma"


@solo_postgresql
def test_base_desechable_de_otra_maquina_solo_se_borra_sin_conexiones(bd_datos, tmp_path):
    """Su PID no dice nada aquí: mientras su conexión vigía siga abierta, se deja."""
    import psycopg
    from conftest import PG_ADMIN_URL, url_pg

    nombre = "amauta_verificar_00000000_00000000_4242_1_abcdef"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    try:
        vigia = psycopg.connect(url_pg(nombre).replace("+psycopg", ""))
        r = invocar(bd_datos.url, "db", "backups", "--limpiar")
        assert r.codigo == 0, r.texto
        assert bd_datos.valor("SELECT count(*) FROM pg_database WHERE datname = :n", n=nombre) == 1
        r = invocar(bd_datos.url, "db", "backups")
        assert f"base desechable {nombre}" in r.stderr and "de otra máquina" in r.stderr
        vigia.close()
        _esperar(lambda: not bd_datos.valor(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :n", n=nombre), 30, "el cierre del vigía")
        r = invocar(bd_datos.url, "db", "backups", "--limpiar")
        assert r.codigo == 0, r.texto
        assert bd_datos.valor("SELECT count(*) FROM pg_database WHERE datname = :n", n=nombre) == 0
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')


@solo_postgresql
def test_respaldo_matado_deja_un_parcial_que_el_proximo_borra(bd_datos, tmp_path):
    agregar_asistencias(bd_datos, 150_000)
    carpeta = tmp_path / "r"
    proc = _amauta(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/", tmp_path=tmp_path)

    def escribiendo() -> bool:
        return carpeta.is_dir() and any(
            p.name.startswith(".") and p.stat().st_size > 0 for p in carpeta.iterdir())

    _esperar(escribiendo, 60, "el archivo a medio escribir", proc)
    _matar(proc)
    (parcial,) = [p for p in carpeta.iterdir()]
    assert ".parcial-" in parcial.name and str(proc.pid) in parcial.name
    r = invocar(bd_datos.url, "db", "backups", str(carpeta))
    assert f"archivo temporal {parcial}" in r.stderr and "su proceso ya no existe" in r.stderr
    assert "No hay respaldos de amauta" in r.stderr
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{carpeta}/")
    assert r.codigo == 0, r.texto
    assert "Se borró 1 temporal" in r.stderr and parcial.name in r.stderr
    assert not parcial.exists()
    assert not [p for p in carpeta.iterdir() if p.name.startswith(".")]


@solo_sqlite
def test_verificacion_sqlite_matada_deja_una_carpeta_privada_que_limpiar_borra(
    bd_datos, tmp_path, monkeypatch
):
    agregar_asistencias(bd_datos, 300_000)
    r = invocar(bd_datos.url, "db", "backup", "--salida", str(tmp_path / "r.db.gz"))
    assert r.codigo == 0, r.texto
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _amauta(bd_datos.url, "db", "verificar-backup", str(tmp_path / "r.db.gz"), tmp_path=tmp_path,
                   TMPDIR=str(tmp))

    def descomprimiendo() -> bool:
        return any(p.name.startswith(".amauta.verificando-") and any(p.iterdir()) for p in tmp.iterdir())

    _esperar(descomprimiendo, 60, "la copia de la verificación", proc)
    _matar(proc)
    (resto,) = list(tmp.iterdir())
    assert stat_modo(resto) == 0o700
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    r = invocar(bd_datos.url, "db", "backups")
    assert f"carpeta temporal {resto}" in r.stderr and "su proceso ya no existe" in r.stderr
    r = invocar(bd_datos.url, "db", "backups", "--limpiar")
    assert r.codigo == 0, r.texto
    assert not resto.exists()


def stat_modo(ruta: Path) -> int:
    import stat

    return stat.S_IMODE(ruta.lstat().st_mode)


@pytest.mark.rapida
def test_los_temporales_de_un_proceso_vivo_o_de_otra_maquina_no_se_tocan(bd, tmp_path):
    from amauta_cli.services.respaldo import archivos

    carpeta = tmp_path / "r"
    carpeta.mkdir()
    propio = archivos.nombre_temporal(carpeta / "amauta-20250101-000000.dump", "parcial")
    propio.write_bytes(b"escribiendo")  # este proceso (el de la prueba) está vivo
    ajeno = carpeta / (".amauta-20250101-000000.dump.parcial-00000000-00000000-4242-1-" + "ab" * 8)
    ajeno.write_bytes(b"de otra maquina")
    muerto = carpeta / (
        f".amauta-20250101-000000.dump.parcial-{archivos._maquina()}-{archivos._arranque()}-999999999-1-"
        + "cd" * 8
    )
    muerto.write_bytes(b"huerfano")
    r = invocar(bd.url, "db", "backups", str(carpeta))
    assert f"en uso por el proceso {os.getpid()}" in r.stderr
    assert "de otra máquina" in r.stderr and "su proceso ya no existe" in r.stderr
    r = invocar(bd.url, "db", "backups", str(carpeta), "--limpiar")
    assert r.codigo == 0, r.texto
    assert propio.exists() and ajeno.exists() and not muerto.exists()
    assert "1 borrado" in r.stderr and "quedan 2" in r.stderr
