"""Planillas de verdad, en ambos motores: el vocabulario común de los importadores, nada cortado
en silencio, higiene del texto en el borde, y el formato excel que se abre en Excel sin fórmulas
y se vuelve a importar sin cambios (issue 11, puntos 7, 11, 12 y 13).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest

from conftest import invocar

GRUPO = "4to Grado A"
LUCAS = "lucas.fernandez@mail.com"
VALENTINA = "valentina.ruiz@mail.com"
MATEO = "mateo.garcia@mail.com"


@pytest.fixture
def amauta(bd_seed):
    def correr(*args: str, input: str | None = None):
        return invocar(bd_seed.url, *args, input=input)

    return correr


def excel(ruta: Path, texto: str, codificacion: str = "utf-8-sig") -> str:
    """Un CSV como lo guarda Excel en español: ';', CRLF, BOM."""
    ruta.write_bytes(texto.replace("\n", "\r\n").encode(codificacion))
    return str(ruta)


def asistencia(bd, email: str, dia: str) -> tuple | None:
    filas = bd.filas(
        'SELECT a.estado, a.observaciones FROM "Asistencia" a JOIN "Usuario" u ON u.id = a."estudianteId" '
        "WHERE u.email = :e AND a.fecha >= :d AND a.fecha < :h",
        e=email, d=f"{dia} 00:00:00", h=f"{dia} 23:59:59",
    )
    return tuple(filas[0]) if filas else None


# --- 11: un solo vocabulario -----------------------------------------------------------------------
def test_usuarios_importar_con_encabezados_de_excel(amauta, bd_seed, tmp_path):
    ruta = excel(
        tmp_path / "alumnos.csv",
        " Correo electrónico ;NOMBRE;Apellidos;Rol;Legajo;Teléfono;País;Observación\n"
        "sofia.diaz@mail.com;Sofía;Díaz;estudiante;2024-010;4444-5555;Argentina;nueva\n",
    )
    r = amauta("usuarios", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert "1 creado" in r.stderr and "Observación" in r.stderr  # la única columna que no conoce
    assert bd_seed.filas(
        'SELECT u.apellido, p.matricula, p.telefono, p.pais FROM "Usuario" u JOIN "Perfil" p ON p."usuarioId" = u.id '
        "WHERE u.email = 'sofia.diaz@mail.com'"
    ) == [("Díaz", "2024-010", "4444-5555", "Argentina")]


def test_agregar_estudiantes_desde_una_columna_email_de_excel(amauta, bd_seed, tmp_path):
    ruta = excel(tmp_path / "nuevos.csv", "E-mail\n" f"{MATEO}\n")
    r = amauta("grupos", "agregar-estudiantes", GRUPO, "--archivo", ruta)
    assert r.codigo == 0, r.texto
    assert "1 estudiante agregado" in r.stderr


def test_registrar_desde_archivo_con_palabras_de_la_escuela(amauta, bd_seed, tmp_path):
    ruta = excel(
        tmp_path / "lunes.csv",
        "Mail;Asistencia;Obs.\n"
        f"{LUCAS};Llegó tarde;colectivo\n"
        f"{VALENTINA};Falta justificada;turno médico\n",
    )
    r = amauta("asistencia", "registrar", "-g", GRUPO, "--fecha", "04-03-2024", "--archivo", ruta)
    assert r.codigo == 0, r.texto
    assert asistencia(bd_seed, LUCAS, "2024-03-04") == ("TARDANZA", "colectivo")
    assert asistencia(bd_seed, VALENTINA, "2024-03-04") == ("JUSTIFICADO", "turno médico")


@pytest.mark.parametrize(
    "palabra, estado",
    [("P", "PRESENTE"), ("Presente", "PRESENTE"), ("A", "AUSENTE"), ("Falta", "AUSENTE"), ("t", "TARDANZA"),
     ("Tarde", "TARDANZA"), ("llego tarde", "TARDANZA"), ("J", "JUSTIFICADO"), ("Justificada", "JUSTIFICADO"),
     ("FALTA JUSTIFICADA", "JUSTIFICADO"), ("Tardanza", "TARDANZA"), ("Ausente", "AUSENTE")],
)
def test_palabras_de_estado(palabra, estado):
    from amauta_cli.vocabulario import estado_asistencia

    assert estado_asistencia(palabra) == estado


def test_asistencia_importar_con_fechas_cortas_y_encabezados_de_excel(amauta, bd_seed, tmp_path):
    ruta = excel(
        tmp_path / "marzo.csv",
        "Grupo;Correo;Fecha;Estado;Observaciones\n"
        f"{GRUPO};{LUCAS};04/03/24;Falta;\n"
        f"{GRUPO};{VALENTINA};05-03-2024;Tarde;\n",
    )
    r = amauta("asistencia", "importar", ruta)
    assert r.codigo == 0, r.texto
    assert asistencia(bd_seed, LUCAS, "2024-03-04") == ("AUSENTE", None)
    assert asistencia(bd_seed, VALENTINA, "2024-03-05") == ("TARDANZA", None)


def test_cargar_notas_por_legajo_y_calificacion(amauta, bd_seed, tmp_path):
    ruta = excel(tmp_path / "notas.csv", "Legajo;Calificación;Observación\n2024-001;9,5;muy bien\n2024-002;6;\n")
    r = amauta("calificaciones", "cargar", ruta, "-g", GRUPO, "-m", "Lengua", "-p", "1er Trimestre")
    assert r.codigo == 0, r.texto
    assert "2 notas leídas" in r.stderr and "2 creadas" in r.stderr
    notas = bd_seed.filas("SELECT nota, observaciones FROM \"Calificacion\" WHERE materia = 'Lengua' ORDER BY nota DESC")
    assert notas == [(9.5, "muy bien"), (6.0, None)]


# --- 12: nada se corta en silencio --------------------------------------------------------------------
def test_punto_y_coma_sin_comillas_con_encabezado_que_termina_en_punto_y_coma(amauta, bd_seed, tmp_path):
    antes = bd_seed.instantanea()
    ruta = excel(
        tmp_path / "notas.csv",
        "email;nota;observaciones;\n"
        f"{LUCAS};8;Muy bien; sigue así\n"
        f"{VALENTINA};7;Bien;\n",
    )
    r = amauta("calificaciones", "cargar", ruta, "-g", GRUPO, "-m", "Lengua", "-p", "1er Trimestre")
    assert r.codigo == 1, r.texto
    assert "línea 2:" in r.stderr and "sin comillas" in r.stderr and "línea 3" not in r.stderr
    assert bd_seed.instantanea() == antes

    ruta = excel(
        tmp_path / "asis.csv",
        "grupo;email;fecha;estado;observaciones;\n" f"{GRUPO};{LUCAS};2024-03-04;A;Avisó; la madre\n",
    )
    r = amauta("asistencia", "importar", ruta)
    assert r.codigo == 1 and "línea 2:" in r.stderr and "sin comillas" in r.stderr
    ruta = excel(tmp_path / "reg.csv", "email;estado;observaciones;\n" f"{LUCAS};A;Avisó; la madre\n")
    r = amauta("asistencia", "registrar", "-g", GRUPO, "--fecha", "2024-03-04", "--archivo", ruta)
    assert r.codigo == 1 and "línea 2:" in r.stderr and "sin comillas" in r.stderr
    assert bd_seed.instantanea() == antes
    # Con comillas, el valor entero.
    ruta = excel(tmp_path / "bien.csv", "email;nota;observaciones;\n" f'{LUCAS};8;"Muy bien; sigue así"\n')
    r = amauta("calificaciones", "cargar", ruta, "-g", GRUPO, "-m", "Lengua", "-p", "1er Trimestre")
    assert r.codigo == 0, r.texto
    assert bd_seed.valor("SELECT observaciones FROM \"Calificacion\" WHERE materia = 'Lengua'") == "Muy bien; sigue así"


# --- 13: higiene del texto ---------------------------------------------------------------------------
def test_nul_y_controles_se_rechazan_con_linea_y_columna(amauta, bd_seed, tmp_path):
    antes = bd_seed.instantanea()
    ruta = tmp_path / "nul.csv"
    ruta.write_bytes(
        f"grupo,email,fecha,estado,observaciones\n{GRUPO},{LUCAS},2024-03-04,A,\n"
        f"{GRUPO},{VALENTINA},2024-03-04,A,avis\x00o\n".encode()
    )
    r = amauta("asistencia", "importar", str(ruta))
    assert r.codigo == 1, r.texto
    assert "línea 3: columna 5 (observaciones): tiene el carácter de control U+0000 (NUL)" in r.stderr
    assert "inesperado" not in r.stderr
    ruta.write_bytes(f"email,nombre,apellido,rol\nnuevo@mail.com,Ana\x07,Paz,ESTUDIANTE\n".encode())
    r = amauta("usuarios", "importar", str(ruta))
    assert r.codigo == 1 and "línea 2: columna 2 (nombre): tiene el carácter de control U+0007" in r.stderr
    r = amauta("usuarios", "crear", "-e", "otro@mail.com", "-n", "Ana\x00", "-a", "Paz", "-r", "estudiante", "--generar-password")
    assert r.codigo == 1 and "nombre: tiene el carácter de control U+0000" in r.stderr
    assert bd_seed.instantanea() == antes


def test_un_archivo_binario_no_es_texto_y_no_se_muestran_sus_bytes(amauta, bd_seed, tmp_path):
    ruta = tmp_path / "foto.csv"
    ruta.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    for args in (("usuarios", "importar", str(ruta)), ("asistencia", "importar", str(ruta)),
                 ("calificaciones", "cargar", str(ruta), "-g", GRUPO, "-m", "Lengua", "-p", "1")):
        r = amauta(*args)
        assert r.codigo == 1, r.texto
        assert "no es un archivo de texto" in r.stderr
        assert "IHDR" not in r.stderr and "\x1a" not in r.stderr and "\ufffd" not in r.stderr
    ruta.write_bytes(bytes(range(1, 9)) * 200)  # sin firma conocida
    r = amauta("usuarios", "importar", str(ruta))
    assert r.codigo == 1 and "no es un archivo de texto" in r.stderr


def test_todo_se_guarda_en_nfc(amauta, bd_seed, tmp_path):
    nfd = unicodedata.normalize("NFD", "Núñez")
    ruta = tmp_path / "mac.csv"
    ruta.write_bytes(f"email,nombre,apellido,rol\nines@mail.com,{unicodedata.normalize('NFD', 'Inés')},{nfd},ESTUDIANTE\n".encode())
    r = amauta("usuarios", "importar", str(ruta))
    assert r.codigo == 0, r.texto
    r = amauta("usuarios", "crear", "-e", "jose@mail.com", "-n", unicodedata.normalize("NFD", "José"), "-a", nfd,
               "-r", "estudiante", "--generar-password")
    assert r.codigo == 0, r.texto
    filas = bd_seed.filas("SELECT nombre, apellido FROM \"Usuario\" WHERE email IN ('ines@mail.com', 'jose@mail.com') ORDER BY email")
    assert filas == [("Inés", "Núñez"), ("José", "Núñez")]
    assert all(unicodedata.is_normalized("NFC", x) for f in filas for x in f)


def test_limites_de_largo_nombran_el_campo(amauta, bd_seed, tmp_path):
    antes = bd_seed.instantanea()
    largo = "a" * 250 + "@mail.com"
    r = amauta("usuarios", "crear", "-e", largo, "-n", "Ana", "-a", "Paz", "-r", "estudiante", "--generar-password")
    assert r.codigo == 1 and "email: tiene 259 caracteres y el máximo de un email es 254" in r.stderr
    r = amauta("usuarios", "crear", "-e", "ana@mail.com", "-n", "A" * 101, "-a", "Paz", "-r", "estudiante", "--generar-password")
    assert r.codigo == 1 and "nombre: tiene 101 caracteres y el máximo es 100" in r.stderr
    r = amauta("calificaciones", "registrar", "-g", GRUPO, "-e", LUCAS, "-m", "M" * 101, "-p", "1", "-n", "8")
    assert r.codigo == 1 and "--materia: tiene 101 caracteres y el máximo es 100" in r.stderr
    r = amauta("calificaciones", "registrar", "-g", GRUPO, "-e", LUCAS, "-m", "Lengua", "-p", "P" * 51, "-n", "8")
    assert r.codigo == 1 and "--periodo: tiene 51 caracteres y el máximo es 50" in r.stderr
    r = amauta("calificaciones", "registrar", "-g", GRUPO, "-e", LUCAS, "-m", "Lengua", "-p", "1", "-n", "8",
               "--observaciones", "x" * 501)
    assert r.codigo == 1 and "--observaciones: tiene 501 caracteres y el máximo es 500" in r.stderr
    r = amauta("grupos", "crear", "-i", "Escuela Primaria", "-n", "G" * 101, "-e", "maria.gonzalez@edu.ar")
    assert r.codigo == 1 and "--nombre: tiene 101 caracteres y el máximo es 100" in r.stderr
    r = amauta("asistencia", "registrar", "-g", GRUPO, "--fecha", "2024-03-04", "--todos", "P", "--ausente", f"{LUCAS}={'o' * 501}")
    assert r.codigo == 1 and "tiene 501 caracteres y el máximo es 500" in r.stderr
    ruta = tmp_path / "obs.csv"
    ruta.write_text(f"grupo,email,fecha,estado,observaciones\n{GRUPO},{LUCAS},2024-03-04,A,{'o' * 501}\n", encoding="utf-8")
    r = amauta("asistencia", "importar", str(ruta))
    assert r.codigo == 1 and "línea 2: observaciones: tiene 501 caracteres y el máximo es 500" in r.stderr
    assert bd_seed.instantanea() == antes


# --- 7: fórmulas neutralizadas en excel, y de vuelta sin cambios ---------------------------------------
FORMULAS = {
    "nombre": '=HYPERLINK("http://malo.example","clic")',
    "apellido": "+cmd|' /C calc'!A0",
    "bio": "@SUM(1+1)",
    "ciudad": "-2+3+cmd|' /C calc'!A0",
}


def _celdas_excel(texto: str) -> list[list[str]]:
    # (El CliRunner de click pasa CRLF a LF en .stdout; el CRLF se prueba en test_salida.py.)
    assert texto.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texto.lstrip("\ufeff")), delimiter=";"))


def test_usuarios_exportar_excel_neutraliza_y_se_reimporta_sin_cambios(amauta, bd_seed, tmp_path):
    bd_seed.ejecutar(
        'UPDATE "Usuario" SET nombre = :n, apellido = :a WHERE email = :e',
        n=FORMULAS["nombre"], a=FORMULAS["apellido"], e=LUCAS,
    )
    bd_seed.ejecutar(
        'UPDATE "Perfil" SET bio = :b, ciudad = :c WHERE "usuarioId" = (SELECT id FROM "Usuario" WHERE email = :e)',
        b=FORMULAS["bio"], c=FORMULAS["ciudad"], e=LUCAS,
    )
    r = amauta("usuarios", "exportar", "--formato", "excel")
    assert r.codigo == 0, r.texto
    filas = _celdas_excel(r.stdout)
    lucas = dict(zip(filas[0], next(f for f in filas if LUCAS in f)))
    assert lucas["Nombre"] == "'" + FORMULAS["nombre"] and lucas["Apellido"] == "'" + FORMULAS["apellido"]
    assert lucas["Bio"] == "'" + FORMULAS["bio"] and lucas["Ciudad"] == "'" + FORMULAS["ciudad"]
    assert not any(c.startswith(("=", "+", "-", "@")) for f in filas for c in f)
    # Para scripts (csv), los datos tal cual.
    assert FORMULAS["nombre"].replace('"', '""') in amauta("usuarios", "exportar").stdout

    antes = bd_seed.instantanea()
    ruta = tmp_path / "usuarios.csv"
    ruta.write_text(r.stdout, encoding="utf-8", newline="")
    r = amauta("usuarios", "importar", str(ruta), "--actualizar")
    assert r.codigo == 0, r.texto
    assert "0 creados, 0 actualizados, 8 sin cambios" in r.stderr
    assert bd_seed.instantanea() == antes


@pytest.mark.rapida
def test_asistencia_exportar_excel_neutraliza_y_se_reimporta_sin_cambios(amauta, bd_seed, tmp_path):
    r = amauta("asistencia", "registrar", "-g", GRUPO, "--fecha", "2024-03-04", "--todos", "P",
               "--ausente", f"{LUCAS}={FORMULAS['ciudad']}", "--justificado", f"{VALENTINA}==1+1")
    assert r.codigo == 0, r.texto
    r = amauta("asistencia", "exportar", "--formato", "excel", "--desde", "2024-03-04", "--hasta", "2024-03-04")
    assert r.codigo == 0, r.texto
    filas = _celdas_excel(r.stdout)
    assert filas[0] == ["Grupo", "Email", "Fecha", "Estado", "Observaciones"]
    assert [GRUPO, LUCAS, "04/03/2024", "AUSENTE", "'" + FORMULAS["ciudad"]] in filas
    assert [GRUPO, VALENTINA, "04/03/2024", "JUSTIFICADO", "'=1+1"] in filas

    antes = bd_seed.instantanea()
    ruta = tmp_path / "asistencia.csv"
    ruta.write_text(r.stdout, encoding="utf-8", newline="")
    r = amauta("asistencia", "importar", str(ruta))
    assert r.codigo == 0, r.texto
    assert "0 creadas, 0 actualizadas, 2 sin cambios" in r.stderr
    assert bd_seed.instantanea() == antes


def test_listados_en_excel_neutralizan(amauta, bd_seed):
    bd_seed.ejecutar('UPDATE "Usuario" SET apellido = :a WHERE email = :e', a=FORMULAS["apellido"], e=LUCAS)
    for args in (("usuarios", "listar"), ("grupos", "ver", GRUPO), ("asistencia", "ver", "-g", GRUPO),
                 ("calificaciones", "ver", "-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre")):
        r = amauta(*args, "--formato", "excel")
        assert r.codigo == 0, r.texto
        celdas = [c for f in _celdas_excel(r.stdout) for c in f]
        assert "'" + FORMULAS["apellido"] in celdas, args
        assert FORMULAS["apellido"] not in celdas
        j = amauta(*args, "--formato", "json")
        assert FORMULAS["apellido"] in json.dumps(json.loads(j.stdout), ensure_ascii=False)


def test_apostrofo_de_excel_se_quita_solo_donde_lo_puso_excel():
    from amauta_cli.vocabulario import neutralizar, sin_apostrofo

    for texto in ["=1+1", "'=1+1", "''@x", "'Tito", "O'Brien", "-", "normal", "'"]:
        assert sin_apostrofo(neutralizar(texto)) == texto
    assert sin_apostrofo("'Tito") == "'Tito"
