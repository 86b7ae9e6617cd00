"""Dos ``registrar`` del mismo grupo y día a la vez: ambos terminan y queda una fila por estudiante."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from datos_asistencia import ACTIVOS_4A, GRUPO, LUNES, VALENTINA, preparar


@pytest.fixture
def bd(crear_plantilla):
    return crear_plantilla("asistencia", preparar)


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
