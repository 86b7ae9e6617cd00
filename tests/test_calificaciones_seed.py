"""Las calificaciones del seed del diseño en ver, reporte y boletín (ambos motores)."""

from __future__ import annotations

import json

import pytest


def test_ver_muestra_las_notas_del_seed(cli_seed):
    r = cli_seed("calificaciones", "ver", "--grupo", "4to Grado A", "--materia", "Matemáticas",
                 "--periodo", "1er Trimestre", "--formato", "json")
    assert r.codigo == 0, r.texto
    notas = {f["email"]: f["nota"] for f in json.loads(r.stdout)}
    assert notas == {"lucas.fernandez@mail.com": 8.5, "valentina.ruiz@mail.com": 7.0}


def test_reporte_con_los_promedios_del_seed(cli_seed):
    r = cli_seed("calificaciones", "reporte", "--grupo", "4to Grado A", "--formato", "json")
    assert r.codigo == 0, r.texto
    (mate,) = json.loads(r.stdout)["materias"]
    assert mate["materia"] == "Matemáticas"
    assert mate["periodos"] == ["1er Trimestre", "2do Trimestre"]
    por_email = {e["email"]: e for e in mate["estudiantes"]}
    assert por_email["lucas.fernandez@mail.com"]["notas"] == {"1er Trimestre": 8.5, "2do Trimestre": 9.0}
    assert por_email["lucas.fernandez@mail.com"]["promedio"] == 8.75  # (8,5 + 9,0) / 2
    assert por_email["valentina.ruiz@mail.com"]["promedio"] == 7.25  # (7,0 + 7,5) / 2
    assert mate["promedio_grupo"] == {"1er Trimestre": 7.75, "2do Trimestre": 8.25}
    assert mate["aprobados"] == 2 and mate["desaprobados"] == 0


@pytest.mark.rapida
def test_boletin_de_lucas_del_seed(cli_seed):
    r = cli_seed("calificaciones", "boletin", "--estudiante", "lucas.fernandez@mail.com", "--formato", "json")
    assert r.codigo == 0, r.texto
    b = json.loads(r.stdout)
    assert b["grupo"] == "4to Grado A" and b["matricula"] == "2024-001"
    (m,) = b["materias"]
    assert (m["materia"], m["promedio"], m["condicion"]) == ("Matemáticas", 8.75, "aprobado")
    assert b["promedio_general"] == 8.75 and b["desaprobadas"] == 0
