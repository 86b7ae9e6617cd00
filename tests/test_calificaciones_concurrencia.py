"""Cargas de notas simultáneas en PostgreSQL, con procesos de verdad.

Para que las dos cargas se crucen siempre en el mismo punto, una transacción de la prueba
toma ``LOCK TABLE "Calificacion" IN EXCLUSIVE MODE``: deja leer (cada carga lee el grupo,
la escritura de la materia y las notas previas) pero no escribir. Cuando las dos esperan,
se suelta. Sin el bloqueo por grupo y período las dos leen lo mismo y escriben a la vez;
con él, la segunda espera a la primera entera.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PG_ADMIN_URL

AMAUTA = str(Path(sys.executable).parent / "amauta")
GRUPO = "4to Grado A"
PERIODO = "1er Trimestre"
LUCAS, VALENTINA = "lucas.fernandez@mail.com", "valentina.ruiz@mail.com"

pytestmark = pytest.mark.parametrize("motor", ["postgresql"], indirect=True)


def _csv(ruta: Path, filas: list[tuple[str, str]]) -> str:
    ruta.write_text("email,nota\n" + "".join(f"{e},{n}\n" for e, n in filas), encoding="utf-8")
    return str(ruta)


def _cargar(url: str, archivo: str, materia: str) -> subprocess.Popen:
    return subprocess.Popen(
        [AMAUTA, "--db-url", url, "calificaciones", "cargar", archivo, "-g", GRUPO,
         "--materia", materia, "--periodo", PERIODO, "--formato", "json"],
        env={**os.environ, "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _cruzar(bd, *lanzar) -> list[tuple[int, str, str]]:
    """Lanza las cargas con la tabla bloqueada para escribir, espera a que las dos esperen y suelta."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(bd.url)
    base = u.database
    t = psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=base)
    try:
        t.execute('LOCK TABLE "Calificacion" IN EXCLUSIVE MODE')
        procesos = [f() for f in lanzar]
        fin = time.time() + 60
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as a:
            while True:
                n = a.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND application_name = 'amauta' AND wait_event_type = 'Lock'",
                    (base,),
                ).fetchone()[0]
                if n >= len(procesos):
                    break
                if time.time() > fin or any(p.poll() is not None for p in procesos):
                    break
                time.sleep(0.05)
    finally:
        t.rollback()
        t.close()
    return [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procesos]


def _notas(bd, materia_plegada: str) -> list[tuple]:
    return bd.filas(
        'SELECT u.email, c.materia, c.nota FROM "Calificacion" c JOIN "Usuario" u ON u.id = c."estudianteId" '
        "WHERE c.periodo = :p AND lower(translate(c.materia, 'íÍúÚ', 'iIuU')) = :m ORDER BY 1, 2",
        p=PERIODO,
        m=materia_plegada,
    )


def test_dos_cargas_de_una_materia_nueva_con_distinta_escritura_crean_una_sola(bd_seed, tmp_path):
    """Historia e HISTORIA a la vez: una sola materia, una nota por estudiante (punto 8)."""
    a = _csv(tmp_path / "a.csv", [(LUCAS, "7"), (VALENTINA, "8")])
    b = _csv(tmp_path / "b.csv", [(LUCAS, "9"), (VALENTINA, "6")])
    resultados = _cruzar(
        bd_seed, lambda: _cargar(bd_seed.url, a, "Geografía"), lambda: _cargar(bd_seed.url, b, "GEOGRAFÍA")
    )
    for codigo, out, err in resultados:
        assert codigo == 0, err
    notas = _notas(bd_seed, "geografia")
    assert len({m for _, m, _ in notas}) == 1, notas
    assert [e for e, _, _ in notas] == [LUCAS, VALENTINA]
    conteos = sorted((json.loads(out)["creadas"], json.loads(out)["actualizadas"]) for _, out, _ in resultados)
    assert conteos == [(0, 2), (2, 0)]


@pytest.mark.parametrize("orden", ["mismo", "opuesto"])
def test_cargas_que_se_solapan_no_se_traban_y_cuentan_bien(bd_seed, tmp_path, orden):
    """En orden opuesto no hay deadlock; en el mismo, la segunda dice que actualizó (punto 9)."""
    a = _csv(tmp_path / "a.csv", [(LUCAS, "7"), (VALENTINA, "8")])
    filas_b = [(LUCAS, "9"), (VALENTINA, "6")]
    if orden == "opuesto":
        filas_b.reverse()
    b = _csv(tmp_path / "b.csv", filas_b)
    resultados = _cruzar(
        bd_seed, lambda: _cargar(bd_seed.url, a, "Música"), lambda: _cargar(bd_seed.url, b, "Música")
    )
    for codigo, out, err in resultados:
        assert codigo == 0, err
        assert "deadlock" not in err
    conteos = sorted((json.loads(out)["creadas"], json.loads(out)["actualizadas"]) for _, out, _ in resultados)
    assert conteos == [(0, 2), (2, 0)]
    # Las notas finales son las de la carga que terminó última (la que informó 2 actualizadas).
    ultima = next(out for _, out, _ in resultados if json.loads(out)["actualizadas"] == 2)
    esperadas = {LUCAS: 7.0, VALENTINA: 8.0} if ultima == resultados[0][1] else {LUCAS: 9.0, VALENTINA: 6.0}
    assert {e: n for e, _, n in _notas(bd_seed, "musica")} == esperadas
