"""Pruebas de amauta_cli.csvio con archivos como los guardan las planillas (sin base de datos)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amauta_cli.vocabulario import sin_apostrofo
from amauta_cli.csvio import FilaCSV, iterar_csv, leer_csv, problema_linea
from amauta_cli.errores import DatosInvalidos, NoEncontrado

REQ = ["email", "nombre"]
OPC = ["apellido", "matricula"]


def escribir(tmp_path: Path, contenido: str, codificacion: str = "utf-8", nombre: str = "datos.csv") -> Path:
    """Escribe el texto tal cual (sin traducir finales de línea) en la codificación pedida."""
    ruta = tmp_path / nombre
    ruta.write_bytes(contenido.encode(codificacion))
    return ruta


def test_problema_linea() -> None:
    assert problema_linea(7, "el email 'x' no es válido") == "línea 7: el email 'x' no es válido"


@pytest.mark.parametrize("codificacion", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separador", [",", ";", "\t"])
def test_codificaciones_y_separadores(tmp_path: Path, codificacion: str, separador: str) -> None:
    s = separador
    texto = f"email{s}nombre{s}apellido\r\nana@x.com{s}Ñandú{s}González\r\nbeto@x.com{s}José{s}Muñoz\r\n"
    tabla = leer_csv(escribir(tmp_path, texto, codificacion), REQ, OPC)
    assert tabla.separador == separador
    assert tabla.codificacion == codificacion
    assert tabla.filas == [
        FilaCSV(2, {"email": "ana@x.com", "nombre": "Ñandú", "apellido": "González", "matricula": ""}),
        FilaCSV(3, {"email": "beto@x.com", "nombre": "José", "apellido": "Muñoz", "matricula": ""}),
    ]
    assert tabla.problemas == [] and tabla.columnas_ignoradas == []


def test_bom_no_ensucia_el_primer_encabezado(tmp_path: Path) -> None:
    ruta = escribir(tmp_path, "Email;Nombre\nana@x.com;Ana\n", "utf-8-sig")
    assert ruta.read_bytes().startswith(b"\xef\xbb\xbf")
    assert leer_csv(ruta, REQ).filas[0].valores == {"email": "ana@x.com", "nombre": "Ana"}


def test_encabezado_en_mayusculas_con_acentos_y_espacios(tmp_path: Path) -> None:
    texto = " EMAIL ;NOMBRE;MATRÍCULA ;Observación\r\nana@x.com;Ana;123;llegó tarde\r\n"
    tabla = leer_csv(escribir(tmp_path, texto, "cp1252"), REQ, OPC)
    assert tabla.columnas == ["email", "nombre", "matricula"]
    assert tabla.columnas_ignoradas == ["Observación"]
    assert tabla.filas[0].valores == {"email": "ana@x.com", "nombre": "Ana", "matricula": "123", "apellido": ""}


def test_alias(tmp_path: Path) -> None:
    texto = "Correo electrónico,Nombre\nana@x.com,Ana\n"
    tabla = leer_csv(escribir(tmp_path, texto), REQ, alias={"correo electronico": "email"})
    assert tabla.columnas == ["email", "nombre"]
    assert tabla.filas[0].valores["email"] == "ana@x.com"


def test_comillas_con_separador_y_saltos_de_linea_numeran_lineas_fisicas(tmp_path: Path) -> None:
    texto = (
        "email;nombre;apellido\r\n"
        'ana@x.com;"Pérez; Ana";"primera\r\nsegunda\r\ntercera"\r\n'
        "\r\n"
        'beto@x.com;"Dice ""hola""";Gómez\r\n'
        'caro@x.com;Caro;"con\nLF"\r\n'
        "dani@x.com;Dani;Díaz\r\n"
    )
    tabla = leer_csv(escribir(tmp_path, texto), REQ, OPC)
    assert [(f.linea, f.valores["nombre"]) for f in tabla.filas] == [
        (2, "Pérez; Ana"),
        (6, 'Dice "hola"'),
        (7, "Caro"),
        (9, "Dani"),
    ]
    assert tabla.filas[0].valores["apellido"] == "primera\r\nsegunda\r\ntercera"


def test_lineas_en_blanco_y_filas_de_separadores_se_saltean(tmp_path: Path) -> None:
    texto = "\n\nemail,nombre\n\n  \n,\nana@x.com,Ana\n"
    tabla = leer_csv(escribir(tmp_path, texto), REQ)
    assert tabla.filas == [FilaCSV(7, {"email": "ana@x.com", "nombre": "Ana"})]


def test_valores_sin_espacios_y_columnas_faltantes_vacias(tmp_path: Path) -> None:
    tabla = leer_csv(escribir(tmp_path, "email,nombre,apellido\n  ana@x.com  ,\n"), REQ, OPC)
    assert tabla.filas[0].valores == {"email": "ana@x.com", "nombre": "", "apellido": "", "matricula": ""}


def test_fila_con_campos_de_mas(tmp_path: Path) -> None:
    texto = "email,nombre\nana@x.com,Pérez, Ana\nbeto@x.com,Beto,,\n"
    tabla = leer_csv(escribir(tmp_path, texto), REQ)
    assert tabla.problemas == [
        "línea 2: tiene 3 campos pero el encabezado tiene 2 (¿un valor con coma sin comillas?)"
    ]
    # Los separadores sobrantes vacíos (típicos de Excel) no son un problema.
    assert tabla.filas == [FilaCSV(3, {"email": "beto@x.com", "nombre": "Beto"})]


def test_comillas_mal_cerradas(tmp_path: Path) -> None:
    texto = 'email;nombre\nana@x.com;"Ana" María\nbeto@x.com;Beto\ncaro@x.com;"Caro\nfin;fin\n'
    tabla = leer_csv(escribir(tmp_path, texto), REQ)
    assert [f.linea for f in tabla.filas] == [3]
    assert tabla.problemas[0].startswith(
        "línea 2: después de una comilla de cierre debe venir el separador (punto y coma)"
    )
    assert tabla.problemas[1] == (
        "línea 4: hay una comilla sin cerrar: el valor sigue hasta el final del archivo"
    )


def test_faltan_columnas(tmp_path: Path) -> None:
    with pytest.raises(DatosInvalidos) as e:
        leer_csv(escribir(tmp_path, "Nombre;DNI;Teléfono\nAna;1;2\n"), ["email", "nombre", "apellido"])
    assert e.value.mensaje == (
        "al CSV le faltan columnas obligatorias: email, apellido. "
        "Columnas encontradas: Nombre, DNI, Teléfono (separador detectado: punto y coma)"
    )


def test_columna_repetida(tmp_path: Path) -> None:
    with pytest.raises(DatosInvalidos, match="la columna 'email' aparece dos veces"):
        leer_csv(escribir(tmp_path, "email,correo,nombre\n"), REQ, alias={"correo": "email"})


@pytest.mark.parametrize("contenido", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_archivo_vacio(contenido: bytes) -> None:
    with pytest.raises(DatosInvalidos, match="vacío"):
        leer_csv(contenido, REQ)


def test_solo_encabezado() -> None:
    tabla = leer_csv(b"email,nombre\r\n", REQ)
    assert tabla.filas == [] and tabla.problemas == []


def test_archivo_inexistente(tmp_path: Path) -> None:
    with pytest.raises(NoEncontrado, match="no existe el archivo"):
        leer_csv(tmp_path / "no-esta.csv", REQ)


def test_planilla_excel_en_vez_de_csv() -> None:
    with pytest.raises(DatosInvalidos, match=r"planilla de Excel.*CSV UTF-8"):
        leer_csv(b"PK\x03\x04\x14\x00\x06\x00", REQ)


def test_cp1252_con_signos_de_pregunta_y_grados() -> None:
    texto = "email;nombre\nana@x.com;¿Ñandú? ¡Sí! 20° Nº\n"
    tabla = leer_csv(texto.encode("cp1252"), REQ)
    assert tabla.codificacion == "cp1252"
    assert tabla.filas[0].valores["nombre"] == "¿Ñandú? ¡Sí! 20° Nº"


def test_cp1252_despues_de_un_prefijo_ascii_largo(tmp_path: Path) -> None:
    """Prefijo ASCII puro y luego bytes Windows-1252: se cambia de codificación sin perder nada."""
    ascii_ = "".join(f"u{i}@x.com,Juan\n" for i in range(10_000))
    ruta = tmp_path / "tardio.csv"
    ruta.write_bytes(("email,nombre\n" + ascii_).encode() + "z@x.com,Ñandú González\n".encode("cp1252"))
    lector = iterar_csv(ruta, REQ)
    assert lector.codificacion == "utf-8"
    filas = list(lector)
    assert filas[-1] == FilaCSV(10_002, {"email": "z@x.com", "nombre": "Ñandú González"})
    assert lector.codificacion == "cp1252"


@pytest.mark.rapida
def test_codificaciones_mezcladas_nombra_la_linea(tmp_path: Path) -> None:
    ascii_ = "".join(f"u{i}@x.com,Juan\n" for i in range(10_000))
    ruta = tmp_path / "mezcla.csv"
    ruta.write_bytes(("email,nombre\nana@x.com,José\n" + ascii_).encode() + "z@x.com,Ñandú\n".encode("cp1252"))
    lector = iterar_csv(ruta, REQ)
    with pytest.raises(DatosInvalidos) as e:
        list(lector)
    assert e.value.mensaje.startswith("línea 10003: tiene bytes que no son UTF-8")


def test_bytes_no_utf8_con_bom() -> None:
    contenido = b"\xef\xbb\xbfemail;nombre\na@x.com;Ana\n" + "b@x.com;Ñandú\n".encode("cp1252")
    with pytest.raises(DatosInvalidos, match=r"^línea 3: tiene bytes que no son UTF-8, aunque .*\(BOM\)"):
        leer_csv(contenido, REQ)


def test_byte_invalido_en_cp1252() -> None:
    with pytest.raises(DatosInvalidos, match="^línea 3: tiene bytes que no son texto válido en Windows-1252"):
        leer_csv("email;nombre\na@x.com;Ñandú\n".encode("cp1252") + b"b@x.com;\x81\n", REQ)


def test_utf16_de_texto_unicode_de_excel() -> None:
    tabla = leer_csv("email\tnombre\r\nana@x.com\tÑandú\r\n".encode("utf-16"), REQ)
    assert (tabla.codificacion, tabla.separador) == ("utf-16", "\t")
    assert tabla.filas[0].valores == {"email": "ana@x.com", "nombre": "Ñandú"}


def test_separador_elegido_por_columnas_conocidas() -> None:
    """Un encabezado con coma dentro de un nombre no engaña la detección."""
    tabla = leer_csv("Apellido, Nombre;email;nombre\nPérez, Ana;a@x.com;Ana\n".encode(), REQ)
    assert tabla.separador == ";"
    assert tabla.columnas_ignoradas == ["Apellido, Nombre"]


def test_iterar_csv_es_perezoso_y_repetible(tmp_path: Path) -> None:
    ruta = escribir(tmp_path, "email,nombre\na@x.com,A\nb@x.com,B\n")
    lector = iterar_csv(ruta, REQ)
    it = iter(lector)
    assert next(it) == FilaCSV(2, {"email": "a@x.com", "nombre": "A"})
    it.close()
    assert [f.linea for f in lector] == [2, 3]
    assert [f.linea for f in lector] == [2, 3]


def test_iterar_csv_valida_el_encabezado_al_crearse(tmp_path: Path) -> None:
    with pytest.raises(DatosInvalidos, match="faltan columnas obligatorias: email"):
        iterar_csv(escribir(tmp_path, "nombre\nAna\n"), REQ)


def test_iterar_csv_agrega_problemas_en_orden(tmp_path: Path) -> None:
    ruta = escribir(tmp_path, "email,nombre\nmal,A\nb@x.com,B,C\nmal2,D\n")
    problemas: list[str] = []
    for fila in iterar_csv(ruta, REQ, problemas=problemas):
        if "@" not in fila.valores["email"]:
            problemas.append(problema_linea(fila.linea, f"el email '{fila.valores['email']}' no es válido"))
    assert problemas == [
        "línea 2: el email 'mal' no es válido",
        "línea 3: tiene 3 campos pero el encabezado tiene 2 (¿un valor con coma sin comillas?)",
        "línea 4: el email 'mal2' no es válido",
    ]


def test_leer_csv_acepta_bytes_y_str() -> None:
    contenido = b"email,nombre\na@x.com,A\n"
    assert leer_csv(contenido, REQ).filas == leer_csv(io.BytesIO(contenido).getvalue(), REQ).filas


# --- ida y vuelta con csv.writer -------------------------------------------------------

# Windows-1252 es ambiguo con UTF-8 en secuencias raras como "Ñ¿" (bytes D1 BF, UTF-8
# válido): la detección no puede distinguirlas. Para cp1252 se usan letras acentuadas
# (todas ≥ 0xC0), que nunca forman UTF-8 válido entre sí.
_TEXTO_CP1252 = st.text(
    st.sampled_from(list("abcxyzABCXYZ0189 .,;\t\"'-_@\r\n") + list("áéíóúÁÉÍÓÚñÑüÜ")), max_size=12
)
# Sin caracteres de control (se rechazan con su línea y columna), salvo tabulación y saltos.
_TEXTO_UNICODE = st.text(st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from("\t\r\n"), max_size=12)
_SALTO = re.compile(r"\r\n|\r|\n")


@pytest.mark.rapida
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    datos=st.data(),
    codificacion=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    separador=st.sampled_from([",", ";", "\t"]),
    fin_de_linea=st.sampled_from(["\r\n", "\n"]),
    citado=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_ida_y_vuelta(
    tmp_path: Path, datos: st.DataObject, codificacion: str, separador: str, fin_de_linea: str, citado: int
) -> None:
    texto = _TEXTO_CP1252 if codificacion == "cp1252" else _TEXTO_UNICODE
    filas = datos.draw(st.lists(st.tuples(texto, texto, texto), max_size=8))
    if fin_de_linea == "\n":  # csv.writer no pone comillas a un "\r" si el fin de línea es "\n"
        filas = [tuple(v.replace("\r", "") for v in fila) for fila in filas]
    salida = io.StringIO()
    escritor = csv.writer(salida, delimiter=separador, lineterminator=fin_de_linea, quoting=citado)
    escritor.writerow(["Email", "NOMBRE", "Matrícula"])
    esperado = []
    linea = 2
    for fila in filas:
        antes = salida.tell()
        escritor.writerow(fila)
        registro = salida.getvalue()[antes:]
        if "".join(fila).strip():
            # Lo que se lee: en NFC, sin espacios alrededor y sin el ' de una celda neutralizada.
            valores = dict(
                zip(["email", "nombre", "matricula"], (sin_apostrofo(unicodedata.normalize("NFC", v).strip()) for v in fila))
            )
            esperado.append(FilaCSV(linea, {**valores, "apellido": ""}))
        linea += len(_SALTO.findall(registro))
    ruta = tmp_path / "ida_y_vuelta.csv"
    ruta.write_bytes(salida.getvalue().encode(codificacion))

    tabla = leer_csv(ruta, REQ, OPC)
    assert tabla.problemas == []
    assert tabla.separador == separador
    assert tabla.filas == esperado
    assert list(iterar_csv(ruta, REQ, OPC)) == esperado
