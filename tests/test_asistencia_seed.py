"""``amauta asistencia`` sobre los datos de desarrollo (``amauta seed``, fixture ``bd_seed``).

El seed carga «4to Grado A» con Lucas (5 PRESENTE) y Valentina (PRESENTE, TARDANZA,
PRESENTE, AUSENTE, PRESENTE) en los últimos 5 días hábiles hasta hoy.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

LUCAS = "lucas.fernandez@mail.com"
VALENTINA = "valentina.ruiz@mail.com"


def ultimos_habiles(n: int = 5) -> list[date]:
    """Los últimos ``n`` días de clase hasta hoy (el seed saltea feriados y demás días sin clase)."""
    from amauta_cli.services.calendario import calendario

    cal = calendario()
    dias, d = [], date.today()
    while len(dias) < n:
        if cal.es_de_clase(d):
            dias.append(d)
        d -= timedelta(days=1)
    return sorted(dias)


def test_reporte_y_ver_sobre_el_seed(cli_seed):
    dias = ultimos_habiles()
    r = cli_seed("asistencia", "reporte", "-g", "4to Grado A", "--desde", dias[0].isoformat(), "--hasta", dias[-1].isoformat(), "-f", "json")
    assert r.codigo == 0, r.texto
    rep = json.loads(r.stdout)
    por = {f["email"]: f for f in rep["estudiantes"]}
    # Valentina: 3 P, 1 T, 1 A → 1 + ½ = 1,5 inasistencias; (3 + 1) / 5 = 80 %.
    assert (por[LUCAS]["presentes"], por[LUCAS]["inasistencias"], por[LUCAS]["porcentaje"]) == (5, 0, 100.0)
    v = por[VALENTINA]
    assert (v["presentes"], v["tardanzas"], v["ausentes"], v["inasistencias"], v["porcentaje"]) == (3, 1, 1, 1.5, 80.0)
    assert (rep["totales"]["registrados"], rep["totales"]["inasistencias"], rep["totales"]["porcentaje"]) == (10, 1.5, 90.0)
    r = cli_seed("asistencia", "ver", "-g", "4to Grado A", "--fecha", dias[3].isoformat(), "-f", "json")
    estados = {f["email"]: (f["estado"], f["observaciones"]) for f in json.loads(r.stdout)}
    assert estados == {LUCAS: ("PRESENTE", None), VALENTINA: ("AUSENTE", "Sin aviso de la familia.")}
    r = cli_seed("asistencia", "pendientes", "--fecha", dias[-1].isoformat(), "-f", "json")
    assert r.codigo == 0 and json.loads(r.stdout) == []


@pytest.mark.rapida
def test_registrar_sobre_el_seed(cli_seed, bd_seed):
    dias = ultimos_habiles()
    ultimo = dias[-1].isoformat()
    r = cli_seed("asistencia", "registrar", "-g", "4to grado a", "--fecha", ultimo, "--todos", "P")
    assert r.codigo == 0, r.texto
    assert "0 creados, 0 actualizados, 2 sin cambios" in r.stderr
    antes = bd_seed.instantanea()
    r = cli_seed("asistencia", "registrar", "-g", "4to Grado A", "--fecha", dias[1].isoformat(), "--todos", "P")
    assert r.codigo == 1 and "ya figura TARDANZA" in r.stderr
    assert bd_seed.instantanea() == antes
    r = cli_seed(
        "asistencia", "registrar", "-g", "4to Grado A", "--fecha", dias[1].isoformat(), "--todos", "P",
        "--presente", f"{VALENTINA}=la tardanza fue del colectivo escolar",
    )
    assert r.codigo == 0 and "0 creados, 1 actualizado, 1 sin cambios" in r.stderr


def test_exportar_e_importar_el_seed(cli_seed, bd_seed, tmp_path):
    r = cli_seed("asistencia", "exportar")
    filas = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(filas) == 10 and {f["grupo"] for f in filas} == {"4to Grado A"}
    ruta = tmp_path / "seed.csv"
    ruta.write_text(r.stdout, encoding="utf-8")
    antes = bd_seed.instantanea()
    r = cli_seed("asistencia", "importar", str(ruta), "--forzar")
    assert r.codigo == 0, r.texto
    assert "Importadas 10 filas de 1 grupo: 0 creadas, 0 actualizadas, 10 sin cambios." in r.stderr
    assert bd_seed.instantanea() == antes
