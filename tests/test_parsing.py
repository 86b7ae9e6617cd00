"""Pruebas de los validadores de amauta_cli.parsing (sin base de datos)."""

from __future__ import annotations

import calendar
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amauta_cli.errores import DatosInvalidos
from amauta_cli.parsing import (
    elegir_enum,
    normalizar_clave,
    normalizar_email,
    parsear_decimal,
    parsear_fecha,
    parsear_mes,
    sin_acentos,
    validar_email,
)

ROLES = ["ESTUDIANTE", "EDUCADOR", "ADMIN_ESCUELA", "SUPER_ADMIN"]
ESTADOS = ["PRESENTE", "AUSENTE", "TARDANZA", "JUSTIFICADO"]


# --- sin_acentos / normalizar_clave -------------------------------------------------


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("Ñandú", "nandu"), ("González", "gonzalez"), ("MATRÍCULA", "matricula"), ("Pingüino", "pinguino")],
)
def test_sin_acentos(texto: str, esperado: str) -> None:
    assert sin_acentos(texto) == esperado


def test_normalizar_clave_trata_espacios_y_guiones_como_guion_bajo() -> None:
    assert normalizar_clave(" Fecha de  Nacimiento ") == "fecha_de_nacimiento"
    assert normalizar_clave("\ufeffE-mail") == "e_mail"


@given(st.text())
def test_sin_acentos_es_idempotente(texto: str) -> None:
    assert sin_acentos(sin_acentos(texto)) == sin_acentos(texto)


# --- fechas ---------------------------------------------------------------------------


@pytest.mark.parametrize("texto", ["2024-03-04", "04/03/2024", "4/3/2024", " 2024-03-04 ", "2024-3-4"])
def test_parsear_fecha_formatos(texto: str) -> None:
    assert parsear_fecha(texto) == date(2024, 3, 4)


def test_parsear_fecha_hoy_y_ayer() -> None:
    hoy = date(2024, 3, 1)
    assert parsear_fecha("hoy", hoy=hoy) == hoy
    assert parsear_fecha(" HOY ", hoy=hoy) == hoy
    assert parsear_fecha("Ayer", hoy=hoy) == date(2024, 2, 29)
    assert parsear_fecha("hoy") == date.today()


def test_parsear_fecha_acepta_date() -> None:
    assert parsear_fecha(date(2024, 3, 4)) == date(2024, 3, 4)


@pytest.mark.parametrize(
    ("texto", "fragmento"),
    [
        ("31/02/2024", "febrero de 2024 tiene 29 días"),
        ("2023-02-29", "febrero de 2023 tiene 28 días"),
        ("31/04/2024", "abril de 2024 tiene 30 días"),
        ("2024-13-01", "el mes debe ir de 1 a 12"),
        ("00/01/2024", "enero de 2024 tiene 31 días"),
    ],
)
def test_parsear_fecha_rechaza_fechas_inexistentes(texto: str, fragmento: str) -> None:
    with pytest.raises(DatosInvalidos) as e:
        parsear_fecha(texto, campo="fecha")
    assert e.value.mensaje.startswith(f"fecha: '{texto}' no es una fecha válida")
    assert fragmento in e.value.mensaje


@pytest.mark.parametrize("texto", ["04-03-2024", "4/3/24", "04/03/24", "4-3-24", " 04/03/2024 "])
def test_parsear_fecha_acepta_las_formas_de_las_planillas(texto: str) -> None:
    """dd/mm/aa (siglo XXI) y dd-mm-aaaa, como las escriben las planillas de las escuelas."""
    assert parsear_fecha(texto) == date(2024, 3, 4)


@pytest.mark.parametrize("texto", ["", "mañana", "2024/03/04", "04/03-2024", "4/3/124", "20240304", "٢٠٢٤-٠٣-٠٤"])
def test_parsear_fecha_rechaza_formatos_desconocidos(texto: str) -> None:
    with pytest.raises(DatosInvalidos) as e:
        parsear_fecha(texto, campo="desde")
    assert e.value.mensaje.startswith("desde: ")
    assert "AAAA-MM-DD" in e.value.mensaje and "DD/MM/AAAA" in e.value.mensaje


@pytest.mark.rapida
@given(st.dates(min_value=date(1, 1, 1)))
def test_parsear_fecha_ida_y_vuelta(d: date) -> None:
    assert parsear_fecha(d.isoformat()) == d
    assert parsear_fecha(f"{d.day:02d}/{d.month:02d}/{d.year:04d}") == d
    assert parsear_fecha(f"{d.day}/{d.month}/{d.year:04d}") == d


@given(st.integers(1000, 9999), st.integers(1, 12))
def test_parsear_fecha_dia_siguiente_al_ultimo_es_invalido(anio: int, mes: int) -> None:
    dias = calendar.monthrange(anio, mes)[1]
    with pytest.raises(DatosInvalidos, match=f"tiene {dias} días"):
        parsear_fecha(f"{dias + 1}/{mes}/{anio}")


@given(st.text())
def test_parsear_fecha_nunca_falla_con_otra_excepcion(texto: str) -> None:
    try:
        assert isinstance(parsear_fecha(texto, hoy=date(2024, 1, 1)), date)
    except DatosInvalidos as e:
        assert e.mensaje.startswith("fecha: ")


# --- meses ----------------------------------------------------------------------------


@pytest.mark.parametrize("texto", ["2024-02", "02/2024", "2/2024", " 2024-2 "])
def test_parsear_mes(texto: str) -> None:
    assert parsear_mes(texto) == (date(2024, 2, 1), date(2024, 2, 29))


@pytest.mark.parametrize("texto", ["2024-13", "00/2024", "2024", "marzo", "2024-03-01"])
def test_parsear_mes_invalido(texto: str) -> None:
    with pytest.raises(DatosInvalidos, match=r"^mes: .* no es un mes válido"):
        parsear_mes(texto)


@given(st.integers(1, 9999), st.integers(1, 12))
def test_parsear_mes_ida_y_vuelta(anio: int, mes: int) -> None:
    primero, ultimo = parsear_mes(f"{anio:04d}-{mes:02d}")
    assert (primero.year, primero.month, primero.day) == (anio, mes, 1)
    assert ultimo.month == mes and ultimo.day == calendar.monthrange(anio, mes)[1]
    assert parsear_mes(f"{mes:02d}/{anio:04d}") == (primero, ultimo)


# --- decimales ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("8,5", 8.5), ("8.5", 8.5), (" 9 ", 9.0), ("10,00", 10.0), ("0", 0.0), (",5", 0.5), ("-1,25", -1.25)],
)
def test_parsear_decimal(texto: str, esperado: float) -> None:
    assert parsear_decimal(texto) == esperado


@pytest.mark.parametrize(
    "texto", ["abc", "8,5,1", "", "  ", "nan", "NaN", "inf", "-inf", "1e3", "8.", "1.000,5", "8 5"]
)
def test_parsear_decimal_rechaza(texto: str) -> None:
    with pytest.raises(DatosInvalidos) as e:
        parsear_decimal(texto, campo="nota")
    assert e.value.mensaje.startswith(f"nota: '{texto.strip()}' no es un número")


def test_parsear_decimal_acepta_numeros_pero_no_nan() -> None:
    assert parsear_decimal(7) == 7.0
    assert parsear_decimal(7.5) == 7.5
    with pytest.raises(DatosInvalidos, match="calificacion: 'nan' no es un número"):
        parsear_decimal(float("nan"), campo="calificacion")


@given(st.integers(0, 10**6), st.text("0123456789", min_size=1, max_size=6), st.sampled_from([",", "."]))
def test_parsear_decimal_coma_o_punto(entero: int, fraccion: str, separador: str) -> None:
    assert parsear_decimal(f" {entero}{separador}{fraccion} ") == float(f"{entero}.{fraccion}")


@pytest.mark.rapida
@given(st.text())
def test_parsear_decimal_siempre_finito_o_datos_invalidos(texto: str) -> None:
    try:
        assert math.isfinite(parsear_decimal(texto))
    except DatosInvalidos as e:
        assert e.mensaje.startswith("nota: ")


# --- emails ---------------------------------------------------------------------------


def test_normalizar_email() -> None:
    assert normalizar_email("  Ana.Perez@Escuela.EDU.ar ") == "ana.perez@escuela.edu.ar"


@pytest.mark.parametrize("texto", ["ana@escuela.edu.ar", " ANA+4to@Mail.com ", "o'brien@x.io"])
def test_validar_email_valido(texto: str) -> None:
    assert validar_email(texto) == texto.strip().lower()


@pytest.mark.parametrize(
    "texto",
    ["", "x", "ana", "@escuela.com", "ana@", "ana@localhost", "ana@@x.com", "a@b@c.com", "ana perez@x.com",
     "ana@x .com", "ana@x..com", "ana@.x.com", "ana@x.com.", "ana@x.com;beto@y.com", "ana@x,com"],
)
def test_validar_email_invalido(texto: str) -> None:
    with pytest.raises(DatosInvalidos) as e:
        validar_email(texto, campo="email")
    assert e.value.mensaje == f"email: '{texto.strip()}' no es un email válido"


@given(
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", min_size=1, max_size=20),
    st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10), min_size=2, max_size=4),
)
def test_validar_email_acepta_y_normaliza(local: str, etiquetas: list[str]) -> None:
    email = f"{local}@{'.'.join(etiquetas)}"
    assert validar_email(email) == email.lower()
    assert validar_email(validar_email(email)) == email.lower()


# --- enums ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [("educador", "EDUCADOR"), (" Estudiante ", "ESTUDIANTE"), ("admin escuela", "ADMIN_ESCUELA"),
     ("Súper-Admin", "SUPER_ADMIN")],
)
def test_elegir_enum(texto: str, esperado: str) -> None:
    assert elegir_enum(texto, ROLES, "rol") == esperado


def test_elegir_enum_mensaje_nombra_valores() -> None:
    with pytest.raises(DatosInvalidos) as e:
        elegir_enum("PROFESOR", ROLES, "rol")
    assert e.value.mensaje == (
        "rol: 'PROFESOR' no es un valor válido (ESTUDIANTE, EDUCADOR, ADMIN_ESCUELA, SUPER_ADMIN)"
    )


@pytest.mark.parametrize(
    ("texto", "esperado"), [("P", "PRESENTE"), ("a", "AUSENTE"), (" t ", "TARDANZA"), ("J", "JUSTIFICADO")]
)
def test_elegir_enum_por_inicial(texto: str, esperado: str) -> None:
    assert elegir_enum(texto, ESTADOS, "estado", por_inicial=True) == esperado


def test_elegir_enum_inicial_sin_por_inicial_o_ambigua() -> None:
    with pytest.raises(DatosInvalidos, match=r"^estado: 'P' no es un valor válido \(PRESENTE, "):
        elegir_enum("P", ESTADOS, "estado")
    with pytest.raises(DatosInvalidos) as e:
        elegir_enum("E", ROLES, "rol", por_inicial=True)  # ESTUDIANTE y EDUCADOR
    assert "o su inicial: A, S" in e.value.mensaje
    with pytest.raises(DatosInvalidos, match="o su inicial: P, A, T, J"):
        elegir_enum("X", ESTADOS, "estado", por_inicial=True)


@given(st.sampled_from(ROLES), st.data())
def test_elegir_enum_ignora_mayusculas_y_espacios(valor: str, data: st.DataObject) -> None:
    variante = "".join(c.lower() if data.draw(st.booleans()) else c for c in valor)
    espacios = data.draw(st.text(" \t", max_size=3))
    assert elegir_enum(espacios + variante + espacios, ROLES, "rol") == valor
