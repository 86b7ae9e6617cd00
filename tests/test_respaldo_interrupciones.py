"""Respaldos y restauraciones bajo presión: un proceso muerto a mitad de la restauración y
escrituras concurrentes durante un respaldo (SQLite y PostgreSQL)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import invocar
from fabrica import agregar_asistencias


def _amauta(url: str, *args: str, tmp_path: Path) -> subprocess.Popen:
    """``amauta`` en un proceso aparte (para poder matarlo)."""
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg-data"), COLUMNS="200")
    return subprocess.Popen(
        [sys.executable, "-m", "amauta_cli", "--db-url", url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _esperar(condicion, limite: float, que: str) -> None:
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        if condicion():
            return
        time.sleep(0.005)
    pytest.fail(f"no se llegó a: {que}")


@pytest.mark.parametrize(
    ("motor", "camino"),
    [("sqlite", "directo"), ("postgresql", "directo"), ("postgresql", "general")],
    indirect=["motor"],
)
def test_restore_interrumpido_deja_el_contenido_anterior(bd_datos, tmp_path, camino):
    """Se mata el proceso (SIGKILL) a mitad de la restauración: la base queda como estaba.

    En PostgreSQL, por los dos caminos: ``pg_restore --single-transaction`` directo, y el
    general (``psql``), que se usa por ejemplo cuando el destino tiene objetos que el
    respaldo no trae. SQLite tiene un solo camino.
    """
    from amauta_cli.db import cerrar_motores, ruta_sqlite

    agregar_asistencias(bd_datos, 150_000 if bd_datos.motor == "postgresql" else 60_000)
    r = invocar(bd_datos.url, "db", "backup", "--salida", f"{tmp_path}/r/")
    assert r.codigo == 0, r.texto
    (archivo,) = [p for p in (tmp_path / "r").iterdir() if not p.name.endswith(".json")]
    # El contenido "anterior" difiere del respaldo: así se distingue de una restauración completa.
    bd_datos.ejecutar("DELETE FROM \"Asistencia\" WHERE id LIKE 'x1%'")
    bd_datos.ejecutar('DELETE FROM "Comunicado"')
    if camino == "general":
        bd_datos.ejecutar("CREATE TABLE ajena (x int)")
        bd_datos.ejecutar("INSERT INTO ajena VALUES (1), (2)")
    antes = bd_datos.instantanea()
    cerrar_motores()

    bloqueo = None
    if bd_datos.motor == "sqlite":
        destino = ruta_sqlite(bd_datos.url)
        # Un lector con una transacción abierta: la restauración puede escribir el archivo
        # nuevo pero no reemplazar el destino; se la mata mientras tanto.
        bloqueo = sqlite3.connect(destino, isolation_level=None)
        bloqueo.execute("BEGIN")
        bloqueo.execute('SELECT count(*) FROM "Usuario"').fetchall()
        proc = _amauta(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si",
                       "--sin-respaldo", tmp_path=tmp_path)

        def a_mitad() -> bool:
            return any(p.stat().st_size > 0 for p in destino.parent.glob(f".{destino.name}.restaurando-*"))
    else:
        nombre = bd_datos.url.rsplit("/", 1)[-1]
        proc = _amauta(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si",
                       "--sin-respaldo", tmp_path=tmp_path)

        def a_mitad() -> bool:
            # Un COPY de la restauración ya cargando filas: el contenido anterior ya se borró
            # dentro de la transacción y parte de las tablas ya se restauró.
            return bool(bd_datos.valor(
                "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid) "
                "WHERE a.datname = :db AND a.application_name = 'amauta-restore' "
                "AND p.tuples_processed > 0", db=nombre))

    _esperar(lambda: a_mitad() or proc.poll() is not None, 60, "la mitad de la restauración")
    assert proc.poll() is None, "la restauración terminó antes de poder interrumpirla: " + proc.stderr.read().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    if bloqueo is not None:
        bloqueo.close()
    if bd_datos.motor == "postgresql":
        # El servidor deshace la transacción cuando psql se queda sin entrada.
        _esperar(lambda: not bd_datos.valor(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
            "AND application_name LIKE 'amauta-%'", db=nombre), 30, "el fin de la sesión de psql")
    cerrar_motores()

    assert bd_datos.instantanea() == antes
    if bd_datos.motor == "sqlite":
        assert bd_datos.valor("PRAGMA integrity_check") == "ok"
        restos = list(destino.parent.glob(f".{destino.name}.restaurando-*"))
        assert restos, "el archivo a medio escribir quedó aparte, no en lugar de la base"
    # Una restauración posterior funciona (y en SQLite limpia los restos del proceso muerto).
    r = invocar(bd_datos.url, "db", "restore", str(archivo), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert bd_datos.contar("Comunicado") == 3
    if bd_datos.motor == "sqlite":
        assert not list(destino.parent.glob(f".{destino.name}.restaurando-*"))


@pytest.mark.rapida
@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_sqlite_no_reemplaza_una_base_abierta_por_otro_proceso(motor, tmp_path):
    """El reemplazo del archivo espera a que nadie use la base, y si no, no la toca."""
    from amauta_cli.errores import OperacionRechazada
    from amauta_cli.services.respaldo.sqlite import reemplazar as _reemplazar_sqlite

    destino, nuevo = tmp_path / "base.db", tmp_path / ".base.db.restaurando-1"
    for ruta, valor in ((destino, "viejo"), (nuevo, "nuevo")):
        c = sqlite3.connect(ruta)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE t (v TEXT)")
        c.execute("INSERT INTO t VALUES (?)", (valor,))
        c.commit()
        c.close()
    otro = sqlite3.connect(destino)
    otro.execute("SELECT * FROM t").fetchall()
    with pytest.raises(OperacionRechazada, match="abierta por otro proceso"):
        _reemplazar_sqlite(nuevo, destino, espera=0.3)
    assert otro.execute("SELECT v FROM t").fetchall() == [("viejo",)]
    otro.close()
    _reemplazar_sqlite(nuevo, destino, espera=0.3)
    c = sqlite3.connect(destino)
    assert c.execute("SELECT v FROM t").fetchall() == [("nuevo",)]
    c.close()
    assert not (tmp_path / "base.db-wal").exists()


def test_escrituras_durante_el_respaldo_dan_una_instantanea_consistente(bd_datos, tmp_path):
    """Mientras se respalda, otro proceso inserta pares Institucion+Grupo en una transacción
    cada uno: en el respaldo, los pares están completos y las filas coinciden con el manifiesto."""
    from amauta_cli.ids import ahora, cuid
    from amauta_cli.services import respaldo

    agregar_asistencias(bd_datos, 20_000)
    diferencia = bd_datos.contar("Grupo") - bd_datos.contar("Institucion")
    docente = bd_datos.valor("SELECT id FROM \"Usuario\" WHERE rol = 'EDUCADOR'")
    parar = threading.Event()
    escritas = [0]

    def escritor() -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(bd_datos.url, poolclass=NullPool, connect_args=(
            {"timeout": 30} if bd_datos.motor == "sqlite" else {}))
        try:
            while not parar.is_set():
                with engine.begin() as con:
                    i, g, t = cuid(), cuid(), ahora()
                    con.execute(text('INSERT INTO "Institucion" (id, nombre, tipo, activa, "createdAt", '
                                     '"updatedAt") VALUES (:i, \'Concurrente\', \'ESCUELA\', true, :t, :t)'),
                                {"i": i, "t": t})
                    con.execute(text('INSERT INTO "Grupo" (id, nombre, "institucionId", "educadorId", activo, '
                                     '"createdAt", "updatedAt") VALUES (:g, \'G\', :i, :e, true, :t, :t)'),
                                {"g": g, "i": i, "e": docente, "t": t})
                escritas[0] += 1
        finally:
            engine.dispose()

    hilo = threading.Thread(target=escritor)
    hilo.start()
    try:
        _esperar(lambda: escritas[0] >= 5, 30, "las primeras escrituras")
        antes = escritas[0]
        r = respaldo.respaldar(bd_datos.url, f"{tmp_path}/r/")
        durante = escritas[0] - antes
    finally:
        parar.set()
        hilo.join()
    assert durante > 0, "hubo escrituras durante el respaldo"
    m = r.manifiesto["tablas"]
    assert m["Grupo"] - m["Institucion"] == diferencia
    # Restaurado en una base desechable: las filas son las del manifiesto.
    v = respaldo.verificar(r.archivo, bd_datos.url).verificacion
    assert v.ok, v.diferencias
    assert bd_datos.contar("Institucion") > m["Institucion"], "siguió escribiendo después"
