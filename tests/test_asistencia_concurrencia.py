"""Dos ``registrar`` del mismo grupo y día a la vez: ambos terminan y queda una fila por estudiante."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from fabrica import ACTIVOS_4A, GRUPO, LUNES, VALENTINA


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


def test_dos_procesos_a_la_vez(bd):
    """Procesos reales de ``amauta``, lanzados juntos con los mismos argumentos."""
    env = dict(os.environ, COLUMNS="200")
    cmd = [
        sys.executable, "-m", "amauta_cli", "--db-url", bd.url, "asistencia", "registrar",
        "--grupo", GRUPO, "--fecha", LUNES.isoformat(), "--todos", "PRESENTE", "--ausente", VALENTINA,
    ]
    procesos = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    salidas = [p.communicate(timeout=120) for p in procesos]
    for p, (out, err) in zip(procesos, salidas):
        assert p.returncode == 0, err
    textos = [err for _, err in salidas]
    # Uno crea las 4 filas; los otros las encuentran hechas (los conteos son exactos).
    assert sum("4 creados, 0 actualizados, 0 sin cambios" in t for t in textos) == 1, textos
    assert sum("0 creados, 0 actualizados, 4 sin cambios" in t for t in textos) == 2, textos
    assert bd.contar("Asistencia") == len(ACTIVOS_4A)
    assert bd.valor(
        'SELECT count(*) FROM (SELECT 1 FROM "Asistencia" GROUP BY "grupoId", "estudianteId", fecha) t'
    ) == len(ACTIVOS_4A)


def test_carrera_no_saltea_la_regla_de_la_observacion(bd):
    """A marca a Valentina AUSENTE y tarda en confirmar; B, a la vez, la quiere PRESENTE sin motivo.

    B debe esperar a A, ver su registro y rechazar el cambio; sin la espera (PostgreSQL sin
    el bloqueo por grupo y día), B pisaría el AUSENTE de A sin observación.
    """
    from amauta_cli.db import transaccion
    from amauta_cli.errores import OperacionRechazada
    from amauta_cli.services.asistencia import Marca, registrar

    resultados: dict[str, object] = {}
    a_empezo = threading.Event()

    def a():
        with transaccion(bd.url) as s:
            resultados["a"] = registrar(s, GRUPO, LUNES, [Marca(VALENTINA, "AUSENTE")], todos="PRESENTE")
            a_empezo.set()
            time.sleep(0.8)  # transacción abierta: B llega mientras tanto

    def b():
        a_empezo.wait(10)
        try:
            with transaccion(bd.url) as s:
                resultados["b"] = registrar(s, GRUPO, LUNES, [], todos="PRESENTE")
        except OperacionRechazada as e:
            resultados["b"] = e

    hilos = [threading.Thread(target=a), threading.Thread(target=b)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert resultados["a"].creados == 4
    assert isinstance(resultados["b"], OperacionRechazada), resultados["b"]
    assert "ya figura AUSENTE" in resultados["b"].problemas[0]
    assert bd.valor(
        'SELECT a.estado FROM "Asistencia" a JOIN "Usuario" u ON u.id = a."estudianteId" WHERE u.email = :e',
        e=VALENTINA,
    ) == "AUSENTE"
    assert bd.contar("Asistencia") == 4


@pytest.mark.rapida
def test_hilos_iguales_a_la_vez(bd):
    """Muchos hilos registran lo mismo a la vez: ninguno falla, una fila por estudiante."""
    from amauta_cli.db import transaccion
    from amauta_cli.services.asistencia import registrar

    barrera = threading.Barrier(4)
    errores: list[BaseException] = []
    conteos: list[int] = []

    def correr():
        try:
            barrera.wait(10)
            with transaccion(bd.url) as s:
                conteos.append(registrar(s, GRUPO, date(2024, 3, 5), [], todos="P").creados)
        except BaseException as e:  # noqa: BLE001
            errores.append(e)

    hilos = [threading.Thread(target=correr) for _ in range(4)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert errores == []
    assert sorted(conteos) == [0, 0, 0, 4]
    assert bd.contar("Asistencia") == 4


# --- importar frente a registrar (issue 11, punto 10) -------------------------------------------
def _cruzar_con_asistencia_bloqueada(bd, lanzadores):
    """Lanza procesos con "Asistencia" bloqueada para escribir (se puede leer), uno por uno en
    el orden dado y cada uno cuando el anterior ya espera; cuando todos esperan, la suelta."""
    import psycopg
    from sqlalchemy.engine import make_url

    from conftest import PG_ADMIN_URL

    u = make_url(bd.url)
    t = psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database)
    procesos = []
    try:
        t.execute('LOCK TABLE "Asistencia" IN EXCLUSIVE MODE')
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as a:
            for lanzar in lanzadores:
                procesos.append(lanzar())
                fin = time.time() + 60
                while time.time() < fin and all(p.poll() is None for p in procesos):
                    n = a.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                        "AND application_name = 'amauta' AND wait_event_type = 'Lock'",
                        (u.database,),
                    ).fetchone()[0]
                    if n >= len(procesos):
                        break
                    time.sleep(0.05)
    finally:
        t.rollback()
        t.close()
    return [(p.wait(timeout=120), *p.communicate()) for p in procesos]


def _amauta(url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "amauta_cli", "--db-url", url, *args],
        env=dict(os.environ, COLUMNS="200"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_importar_a_la_vez_que_registrar_respeta_la_regla_de_la_observacion(bd, tmp_path):
    """registrar deja a todos PRESENTE; importar, a la vez, los quiere AUSENTE sin observación.

    La importación espera al registro (el mismo bloqueo del grupo), ve los PRESENTE y rechaza
    sus líneas como lo haría corrida después; sin esa espera los pisaba sin observación.
    """
    from fabrica import escribir_csv

    archivo = tmp_path / "import.csv"
    escribir_csv(
        archivo,
        "grupo,email,fecha,estado\n" + "".join(f"{GRUPO},{e},{LUNES.isoformat()},AUSENTE\n" for e in ACTIVOS_4A),
    )
    (r_cod, r_out, r_err), (i_cod, i_out, i_err) = _cruzar_con_asistencia_bloqueada(
        bd,
        [
            lambda: _amauta(bd.url, "asistencia", "registrar", "-g", GRUPO, "--fecha", LUNES.isoformat(),
                            "--todos", "PRESENTE"),
            lambda: _amauta(bd.url, "asistencia", "importar", str(archivo)),
        ],
    )
    assert r_cod == 0, r_err
    assert i_cod == 1, i_err
    assert "hace falta una observación" in i_err and "no se importó nada" in i_err
    estados = bd.filas('SELECT estado, observaciones FROM "Asistencia"')
    assert sorted(estados) == [("PRESENTE", None)] * len(ACTIVOS_4A)


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_dos_importaciones_de_los_mismos_grupos_no_se_traban(bd, tmp_path):
    """Dos archivos con los mismos grupos en orden opuesto: ninguna se traba (deadlock); la
    segunda ve lo que escribió la primera."""
    from fabrica import ANA, JUAN, OTRO_GRUPO, escribir_csv

    filas = [f"{GRUPO},{e},{LUNES.isoformat()},PRESENTE\n" for e in ACTIVOS_4A] + [
        f"{OTRO_GRUPO},{e},{LUNES.isoformat()},PRESENTE\n" for e in (ANA, JUAN)
    ]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    escribir_csv(a, "grupo,email,fecha,estado\n" + "".join(filas))
    escribir_csv(b, "grupo,email,fecha,estado\n" + "".join(reversed(filas)))
    resultados = _cruzar_con_asistencia_bloqueada(
        bd,
        [lambda: _amauta(bd.url, "asistencia", "importar", str(a)),
         lambda: _amauta(bd.url, "asistencia", "importar", str(b))],
    )
    for codigo, out, err in resultados:
        assert codigo == 0, err
        assert "deadlock" not in err
    assert bd.contar("Asistencia") == 6
