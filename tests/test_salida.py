"""La capa de salida: un resultado, todos los formatos; tablas legibles a 80 columnas."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from amauta_cli import salida
from amauta_cli.salida import Campo, Columna, Ficha, Vista

COLUMNAS = [
    Columna("estudiante", "Estudiante", "nombre", prioridad=0),
    Columna("email", "Email", "email"),
    Columna("institucion", "Institución", "texto", prioridad=3),
    Columna("ausencias", "Ausencias", "entero"),
    Columna("asistencia", "Asistencia", "porcentaje", prioridad=2),
    Columna("fecha", "Última fecha", "fecha", prioridad=2),
]
FILAS = [
    {
        "estudiante": "Fernández, Joaquín Alberto",
        "email": "joaquin.fernandez.largo@escuela.edu.ar",
        "institucion": 'Escuela Primaria Nº 42 "Bernardino Rivadavia"',
        "ausencias": 1234,
        "asistencia": 85.25,
        "fecha": date(2026, 3, 4),
    },
    {
        "estudiante": "[/] [link=http://x]Ruiz",
        "email": "=HYPERLINK(\"http://x\")@mail.com",
        "institucion": "+cmd|' /C calc'!A0",
        "ausencias": 1,
        "asistencia": 1.5,
        "fecha": None,
    },
]


def _emitir(capsys, vista, formato):
    salida.emitir(vista, formato)
    return capsys.readouterr()


@pytest.mark.rapida
def test_tabla_humana_a_80_columnas(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = _emitir(capsys, Vista(columnas=COLUMNAS, filas=FILAS, titulo="Alertas"), "tabla")
    lineas = r.out.splitlines()
    assert all(len(linea) <= 80 for linea in lineas), r.out
    assert "joaquin.fernandez.largo@escuela.edu.ar" in r.out  # el email entero, en una línea
    assert "1.234" in r.out and "85,2 %" in r.out and "04/03/2026" in r.out
    assert "[/] [link=http://x]Ruiz" in r.out  # texto del usuario tal cual, sin marcado
    # Los títulos nunca quedan en una letra.
    assert "Estudiante" in r.out and "Ausencias" in r.out and "Asistencia" in r.out
    assert "No entran a este ancho" in r.out  # la institución pasó a la tabla de abajo


def test_json_y_csv_estables_para_scripts(capsys):
    r = _emitir(capsys, Vista(columnas=COLUMNAS, filas=FILAS), "json")
    datos = json.loads(r.out)
    assert datos[0]["asistencia"] == 85.25 and datos[0]["fecha"] == "2026-03-04"
    r = _emitir(capsys, Vista(columnas=COLUMNAS, filas=FILAS), "csv")
    filas = list(csv.reader(io.StringIO(r.out)))
    assert filas[0] == [c.clave for c in COLUMNAS]
    assert filas[1][3:] == ["1234", "85.25", "2026-03-04"]


@pytest.mark.rapida
def test_excel_en_espanol_y_formulas_neutralizadas(capsys):
    salida.emitir(Vista(columnas=COLUMNAS, filas=FILAS), "excel")
    crudo = capsys.readouterr().out
    assert crudo.startswith("\ufeff")
    assert "\r\n" in crudo
    filas = list(csv.reader(io.StringIO(crudo.lstrip("\ufeff")), delimiter=";"))
    assert filas[0] == [c.titulo for c in COLUMNAS]
    assert filas[1][3:] == ["1234", "85,25", "04/03/2026"]
    assert filas[2][1].startswith("'=HYPERLINK")
    assert filas[2][2].startswith("'+cmd")
    assert filas[2][4] == "1,5"  # un número no se neutraliza


def test_ficha_en_todos_los_formatos(capsys):
    f = Ficha([Campo("nombre", "Nombre", "Ana [b]"), Campo("promedio", "Promedio", 8.5, "nota")], titulo="Ana")
    assert "8,5" in _emitir(capsys, f, "tabla").out
    assert json.loads(_emitir(capsys, f, "json").out) == {"nombre": "Ana [b]", "promedio": 8.5}
    assert "promedio,8.5" in _emitir(capsys, f, "csv").out


def test_vacia_lo_dice_en_stderr(capsys):
    r = _emitir(capsys, Vista(columnas=COLUMNAS, filas=[], vacio="No hay alertas."), "tabla")
    assert r.out == "" and "No hay alertas." in r.err


@pytest.mark.parametrize("formato", ["tabla", "csv", "excel", "json"])
def test_filas_como_tuplas_o_dataclasses(capsys, formato):
    from dataclasses import dataclass

    @dataclass
    class F:
        estudiante: str
        ausencias: int

    cols = [Columna("estudiante", "Estudiante", "nombre"), Columna("ausencias", "Ausencias", "entero")]
    a = _emitir(capsys, Vista(columnas=cols, filas=[("Ana", 2)]), formato).out
    b = _emitir(capsys, Vista(columnas=cols, filas=[F("Ana", 2)]), formato).out
    assert a == b and "Ana" in a


def test_vacio_solo_para_personas_y_partes_por_formato(capsys):
    from amauta_cli.salida import Objeto

    cols = [Columna("alumno", "Alumno", "nombre"), Columna("nota", "Nota", "nota", vacio="sin nota")]
    partes = [
        Objeto({"detalle": [1, 2]}),
        Vista(cols, [{"alumno": "Ana", "nota": None}, {"alumno": "Beto", "nota": 8.125}],
              totales={"alumno": "Promedio", "nota": 8.125}, solo_en=("tabla", "csv", "excel")),
    ]
    tabla = _emitir(capsys, partes, "tabla").out
    assert "sin nota" in tabla and "8,125" in tabla and "Promedio" in tabla
    assert json.loads(_emitir(capsys, partes, "json").out) == {"detalle": [1, 2]}
    plano = _emitir(capsys, partes, "csv").out
    assert plano.splitlines() == ["alumno,nota", "Ana,", "Beto,8.12", "Promedio,8.12"]  # como desde 0.1
    assert "sin nota" not in plano


def test_campos_de_una_ficha_por_formato(capsys):
    f = Ficha([Campo("clave", "Clave", True, "bool", solo_en=("csv",)), Campo("clave", "Clave", "definida", solo_en=("tabla",))])
    assert "definida" in _emitir(capsys, f, "tabla").out
    assert _emitir(capsys, f, "csv").out == "campo,valor\nclave,sí\n"


def test_tabla_ancha_parte_primero_los_titulos(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    cols = [Columna("n", "Estudiante", "nombre", prioridad=0)] + [
        Columna(f"p{i}", f"{i}er Trimestre", "nota") for i in range(1, 4)
    ] + [Columna("c", "Condición")]
    filas = [{"n": "Fernández, Lucas", "p1": 8.5, "p2": 9, "p3": 7, "c": "aprobado"}]
    out = _emitir(capsys, Vista(cols, filas), "tabla").out
    assert "Fernández, Lucas" in out  # el nombre no se parte: se parten los títulos
    assert all(len(linea) <= 60 for linea in out.splitlines())
