"""El hogar del texto en español: números, fechas, plurales, acentos y orden alfabético."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest

from amauta_cli import textos


@pytest.mark.rapida
def test_numeros_con_coma_decimal_y_punto_de_miles():
    assert textos.numero(1.5) == "1,5"
    assert textos.numero(2.0) == "2"
    assert textos.numero(1234567.5) == "1.234.567,5"
    assert textos.entero(1234) == "1.234"
    assert textos.entero(-12345) == "-12.345"
    assert textos.nota(8.75) == "8,75"
    assert textos.nota(8.5, 10) == "8,5/10"
    assert textos.porcentaje(12.5) == "12,5 %"
    assert textos.numero(0.5, 2, recortar=False) == "0,50"


def test_duraciones_y_tamanos():
    assert textos.duracion(0.94) == "0,9 s"
    assert textos.duracion(75) == "1 min 15 s"
    assert textos.duracion(3725) == "1 h 2 min"
    assert textos.tamano(16384) == "16,0 kB"
    assert textos.tamano(123) == "123 B"
    assert textos.tamano(5 * 1024 * 1024) == "5,0 MB"


def test_fechas_dd_mm_aaaa():
    assert textos.fecha(date(2026, 7, 9)) == "09/07/2026"
    assert textos.fecha_corta(date(2026, 7, 9)) == "9/7/2026"
    assert textos.fecha_hora(datetime(2026, 7, 9, 14, 5)) == "09/07/2026 14:05"
    assert textos.fecha_hora(datetime(2026, 7, 9)) == "09/07/2026"
    assert textos.dia_semana(date(2026, 7, 9)) == "jueves"
    assert textos.nombre_mes(7, 2026) == "julio de 2026"


@pytest.mark.parametrize(
    "n, singular, esperado",
    [
        (1, "creado", "1 creado"),
        (4, "creado", "4 creados"),
        (0, "estudiante", "0 estudiantes"),
        (2, "nota leída", "2 notas leídas"),
        (3, "lección", "3 lecciones"),
        (1, "nota leída", "1 nota leída"),
        (2, "vez", "2 veces"),
        (1500, "fila", "1.500 filas"),
    ],
)
def test_plurales_sin_parentesis(n, singular, esperado):
    assert textos.plural(n, singular) == esperado


def test_plegado_de_acentos_uno_solo_para_nfc_y_nfd():
    assert textos.sin_acentos("Ñandú") == "nandu"
    assert textos.sin_acentos("Escuela Nº 42") == "escuela no 42"
    assert textos.sin_acentos("1ª") == "1a"
    assert textos.sin_acentos(unicodedata.normalize("NFD", "Pérez Núñez")) == "perez nunez"


@pytest.mark.rapida
def test_orden_alfabetico_espanol():
    nombres = ["Pérez", "Núñez", "Muñoz", "González", "Gómez", "Fernández", "Benítez", "Álvarez"]
    nfd = [unicodedata.normalize("NFD", n) for n in nombres]
    esperado = ["Álvarez", "Benítez", "Fernández", "Gómez", "González", "Muñoz", "Núñez", "Pérez"]
    assert sorted(nombres, key=textos.clave_orden) == esperado
    assert [unicodedata.normalize("NFC", n) for n in sorted(nfd, key=textos.clave_orden)] == esperado
    # La ñ va entre la n y la o.
    assert sorted(["Muo", "Muñoz", "Munz"], key=textos.clave_orden) == ["Munz", "Muñoz", "Muo"]


def test_los_separadores_son_los_de_es_AR_en_babel():
    """textos no carga Babel en cada proceso (cuesta ~100 ms): sus constantes deben ser las de
    los datos CLDR de es_AR."""
    from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

    assert (textos.DECIMAL, textos.MILES) == (get_decimal_symbol("es_AR"), get_group_symbol("es_AR"))
    assert textos.numero(1234567.5) == format_decimal(1234567.5, locale="es_AR")
    assert textos.entero(1234) == format_decimal(1234, locale="es_AR")
