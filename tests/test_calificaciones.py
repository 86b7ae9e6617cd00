"""``amauta calificaciones registrar | cargar | ver``: escribir notas y ver la planilla del grupo.

Cada prueba corre en SQLite y en PostgreSQL sobre un clon de la plantilla
``calificaciones`` de la fábrica (``fabrica.py``, fixture ``bdc`` de ``conftest.py``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fabrica import (
    ANA_PEREZ,
    GRUPO,
    LIBRE,
    LUCAS,
    MATEO,
    VALENTINA,
    Contador,
    agregar_estudiantes,
)
from conftest import invocar

from amauta_cli.db import transaccion
from amauta_cli.services import calificaciones as cal


@pytest.fixture
def cli(bdc):
    def correr(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return invocar(bdc.url, "calificaciones", *args, input=input, env=env)

    return correr


def nota_de(bdc, email: str, materia: str, periodo: str, grupo: str = GRUPO):
    return bdc.filas(
        'SELECT c.nota, c."notaMaxima", c.observaciones, c.id, c."createdAt", c."updatedAt" '
        'FROM "Calificacion" c JOIN "Usuario" u ON u.id = c."estudianteId" '
        'JOIN "Grupo" g ON g.id = c."grupoId" '
        "WHERE u.email = :e AND c.materia = :m AND c.periodo = :p AND g.nombre = :g",
        e=email, m=materia, p=periodo, g=grupo,
    )


def escribir(tmp_path: Path, texto: str, codificacion: str = "utf-8", nombre: str = "notas.csv") -> Path:
    ruta = tmp_path / nombre
    ruta.write_bytes(texto.encode(codificacion))
    return ruta


# --- ver ----------------------------------------------------------------------------------------
def test_ver_muestra_las_notas_del_seed(cli):
    r = cli("ver", "--grupo", GRUPO, "--materia", "Matemáticas", "--periodo", "1er Trimestre")
    assert r.codigo == 0, r.texto
    assert "Matemáticas · 1er Trimestre · 4to Grado A" in r.stdout
    linea_lucas = next(l for l in r.stdout.splitlines() if LUCAS in l)
    assert "Fernández" in linea_lucas and "8,5" in linea_lucas and "aprobado" in linea_lucas
    linea_valentina = next(l for l in r.stdout.splitlines() if VALENTINA in l)
    assert " 7 " in f" {linea_valentina} "
    assert "2 de 2 con nota · promedio 7,75 sobre 10" in r.stdout

    j = cli("ver", "-g", GRUPO, "-m", "Matemáticas", "-p", "2do Trimestre", "--formato", "json")
    filas = json.loads(j.stdout)
    assert [(f["email"], f["nota"], f["nota_maxima"], f["condicion"]) for f in filas] == [
        (LUCAS, 9.0, 10.0, "aprobado"),
        (VALENTINA, 7.5, 10.0, "aprobado"),
    ]
    c = cli("ver", "-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre", "-f", "csv")
    lector = list(csv.DictReader(io.StringIO(c.stdout)))
    assert lector[0]["email"] == LUCAS and lector[0]["nota"] == "8.5" and lector[0]["matricula"] == "2024-001"


def test_ver_sin_nota_y_sin_acentos_ni_mayusculas(cli):
    r = cli("ver", "-g", "4TO GRADO A", "-m", "matematicas", "-p", "3er trimestre")
    assert r.codigo == 0, r.texto
    filas = [l for l in r.stdout.splitlines() if "@mail.com" in l]
    assert len(filas) == 2 and all(l.count("sin nota") == 2 for l in filas)  # nota y condición
    assert "Matemáticas · 3er Trimestre · 4to Grado A" in r.stdout  # el nombre de los ajustes
    assert "no tiene notas de Matemáticas en 3er Trimestre" in r.stderr
    assert "Períodos de Matemáticas: 1er Trimestre, 2do Trimestre." in r.stderr
    j = json.loads(cli("ver", "-g", GRUPO, "-m", "Matemáticas", "-p", "3er Trimestre", "-f", "json").stdout)
    assert [(f["nota"], f["condicion"]) for f in j] == [(None, "sin nota"), (None, "sin nota")]


# --- registrar -------------------------------------------------------------------------------------
def test_registrar_crea_y_corrige_con_coma_decimal(cli, bdc):
    r = cli("registrar", "-g", GRUPO, "-e", LUCAS, "-m", "Matemáticas", "-p", "3er Trimestre", "-n", "9,25")
    assert r.codigo == 0, r.texto
    assert "Nota registrada" in r.stderr and "9,25/10" in r.stderr
    [(nota, maxima, obs, id_, creada, actualizada)] = nota_de(bdc, LUCAS, "Matemáticas", "3er Trimestre")
    assert (nota, maxima, obs) == (9.25, 10.0, None)
    assert len(id_) == 25 and id_.startswith("c") and creada == actualizada

    r = cli("registrar", "-g", GRUPO, "-e", LUCAS.upper(), "-m", "Matemáticas", "-p", "3er Trimestre", "-n", "8")
    assert r.codigo == 0, r.texto
    assert "Nota corregida" in r.stderr and "era 9,25/10, ahora es 8/10" in r.stderr
    [(nota2, _, _, id2, creada2, actualizada2)] = nota_de(bdc, LUCAS, "Matemáticas", "3er Trimestre")
    assert (nota2, id2, creada2) == (8.0, id_, creada) and actualizada2 >= actualizada
    assert bdc.contar("Calificacion") == 9


def test_registrar_la_misma_nota_no_cambia_nada(cli, bdc):
    antes = bdc.instantanea()
    r = cli("registrar", "-g", GRUPO, "-e", LUCAS, "-m", "Matemáticas", "-p", "1er Trimestre", "-n", "8.50")
    assert r.codigo == 0, r.texto
    assert "la nota ya era 8,5/10. No se cambió nada" in r.stderr
    assert bdc.instantanea() == antes


def test_registrar_usa_la_escritura_de_materia_y_periodo_del_grupo(cli, bdc):
    r = cli("registrar", "-g", GRUPO, "-e", VALENTINA, "-m", " matematicas ", "-p", "1ER  TRIMESTRE", "-n", "6,5")
    assert r.codigo == 0, r.texto
    assert "Matemáticas, 1er Trimestre" in r.stderr and "era 7/10, ahora es 6,5/10" in r.stderr
    assert bdc.contar("Calificacion") == 8
    assert nota_de(bdc, VALENTINA, "Matemáticas", "1er Trimestre")[0][0] == 6.5


def test_registrar_observaciones_se_conservan_si_no_se_indican(cli, bdc):
    base = ["registrar", "-g", GRUPO, "-e", LUCAS, "-m", "Matemáticas", "-p", "1er Trimestre"]
    assert cli(*base, "-n", "8,5", "--observaciones", "Muy buen trimestre").codigo == 0
    assert nota_de(bdc, LUCAS, "Matemáticas", "1er Trimestre")[0][2] == "Muy buen trimestre"
    r = cli(*base, "-n", "9")
    assert r.codigo == 0 and "era 8,5/10, ahora es 9/10" in r.stderr
    assert nota_de(bdc, LUCAS, "Matemáticas", "1er Trimestre")[0][:3] == (9.0, 10.0, "Muy buen trimestre")
    r = cli(*base, "-n", "9", "--observaciones", "")
    assert r.codigo == 0 and "observaciones: 'Muy buen trimestre' → ''" in r.stderr
    assert nota_de(bdc, LUCAS, "Matemáticas", "1er Trimestre")[0][2] is None


def test_registrar_nota_maxima_20(cli, bdc):
    r = cli("registrar", "-g", "1er Año A", "-e", ANA_PEREZ, "-m", "Física", "-p", "3er Trimestre", "-n", "17,5", "--nota-maxima", "20")
    assert r.codigo == 0, r.texto
    assert "17,5/20" in r.stderr
    assert nota_de(bdc, ANA_PEREZ, "Física", "3er Trimestre", grupo="1er Año A")[0][:2] == (17.5, 20.0)
    j = json.loads(cli("ver", "-g", "1er Año A", "-m", "Física", "-p", "3er Trimestre", "-f", "json").stdout)
    assert (j[0]["nota"], j[0]["nota_maxima"], j[0]["nota_10"]) == (17.5, 20.0, 8.75)


@pytest.mark.parametrize(
    "args, mensaje",
    [
        (["-g", "5to Grado Z", "-e", LUCAS, "-n", "8"], "No existe el grupo '5to Grado Z'"),
        (["-g", GRUPO, "-e", "nadie@mail.com", "-n", "8"], "No existe un usuario con el email 'nadie@mail.com'"),
        (["-g", GRUPO, "-e", MATEO, "-n", "8"], "mateo.garcia@mail.com (Mateo García) no pertenece al grupo '4to Grado A'"),
        (["-g", GRUPO, "-e", LIBRE, "-n", "8"], "no pertenece al grupo"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "10,5"], "--nota: la nota 10,5 está fuera de rango (de 0 a 10)"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "-1"], "--nota: la nota -1 está fuera de rango"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "ocho"], "--nota: 'ocho' no es un número"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "8", "--nota-maxima", "0"], "--nota-maxima: la nota máxima debe ser mayor que 0"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "8", "--nota-maxima", "-20"], "la nota máxima debe ser mayor que 0"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "15", "--nota-maxima", "12"], "fuera de rango (de 0 a 12)"),
        (["-g", "4to Grado A 2023", "-e", LUCAS, "-n", "8"], "El grupo '4to Grado A 2023' está inactivo"),
        (["-g", GRUPO, "-e", LUCAS, "-n", "8", "-m", "  "], "--materia no puede estar vacío"),
    ],
)
def test_registrar_rechaza_sin_escribir(cli, bdc, args, mensaje):
    antes = bdc.instantanea()
    base = {"-m": "Matemáticas", "-p": "1er Trimestre"}
    extra = [x for k, v in base.items() if k not in args for x in (k, v)]
    r = cli("registrar", *args, *extra)
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert "Traceback" not in r.texto and r.excepcion is None
    assert bdc.instantanea() == antes


def test_registrar_falta_una_opcion_es_error_de_uso(cli):
    r = cli("registrar", "-g", GRUPO, "-e", LUCAS, "-m", "Matemáticas", "-p", "1er Trimestre")
    assert r.codigo == 2
    assert "--nota" in r.texto


# --- cargar ---------------------------------------------------------------------------------------
@pytest.mark.rapida
def test_cargar_crea_actualiza_y_dos_veces_no_cambia_nada(cli, bdc, tmp_path):
    ruta = escribir(tmp_path, f"email;nota;observaciones\n{LUCAS};8,5;\n{VALENTINA};6,5;recuperó\n")
    args = ["cargar", str(ruta), "-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre"]
    r = cli(*args)
    assert r.codigo == 0, r.texto
    assert "0 creadas, 1 actualizada, 1 sin cambios" in r.stderr
    assert "Valentina Ruiz (valentina.ruiz@mail.com): 7/10 → 6,5/10" in r.stderr
    assert nota_de(bdc, VALENTINA, "Matemáticas", "1er Trimestre")[0][:3] == (6.5, 10.0, "recuperó")

    antes = bdc.instantanea()
    r = cli(*args)
    assert r.codigo == 0, r.texto
    assert "0 creadas, 0 actualizadas, 2 sin cambios" in r.stderr
    assert bdc.instantanea() == antes

    r = cli("cargar", str(ruta), "-g", GRUPO, "-m", "Matemáticas", "-p", "3er Trimestre", "-f", "json")
    assert r.codigo == 0, r.texto
    datos = json.loads(r.stdout)
    assert (datos["creadas"], datos["actualizadas"], datos["sin_cambios"]) == (2, 0, 0)
    assert bdc.contar("Calificacion") == 10


@pytest.mark.parametrize(
    "codificacion, separador",
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("cp1252", ",")],
)
def test_cargar_planillas_de_excel(cli, bdc, tmp_path, codificacion, separador):
    s = separador
    texto = (
        f"Matrícula{s}Nota{s}Observación\r\n"
        f"2024-001{s}\"9,5\"{s}Excelente desempeño\r\n"
        f"2024-002{s}\"6,75\"{s}Debe reforzar álgebra\r\n"
    )
    ruta = escribir(tmp_path, texto, codificacion)
    r = cli("cargar", str(ruta), "-g", GRUPO, "-m", "Matemáticas", "-p", "3er Trimestre")
    assert r.codigo == 0, r.texto
    assert "2 creadas" in r.stderr
    assert nota_de(bdc, LUCAS, "Matemáticas", "3er Trimestre")[0][:3] == (9.5, 10.0, "Excelente desempeño")
    assert nota_de(bdc, VALENTINA, "Matemáticas", "3er Trimestre")[0][:3] == (6.75, 10.0, "Debe reforzar álgebra")


def test_cargar_simular_no_escribe(cli, bdc, tmp_path):
    ruta = escribir(tmp_path, f"email,nota\n{LUCAS},10\n{VALENTINA},7\n")
    antes = bdc.instantanea()
    r = cli("cargar", str(ruta), "-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre", "--simular")
    assert r.codigo == 0, r.texto
    assert "Simulación: se crearían 0, se actualizaría 1 y 1 quedaría sin cambios. No se escribió nada." in r.stderr
    assert "8,5/10 → 10/10" in r.stderr
    assert bdc.instantanea() == antes


@pytest.mark.rapida
def test_cargar_informa_cada_linea_mala_y_no_escribe_nada(cli, bdc, tmp_path):
    texto = (
        "email,matricula,nota\n"
        f"{LUCAS},,8\n"                      # 2: válida
        f"{MATEO},,7\n"                      # 3: de otro grupo
        "nadie@mail.com,,7\n"                # 4: no existe
        ",2024-009,7\n"                      # 5: matrícula de nadie del grupo
        f"{VALENTINA},,siete\n"              # 6: no es un número
        ",2024-002,10,5\n"                   # 7: más campos que el encabezado (coma sin comillas)
        ",2024-002,11\n"                     # 8: fuera de rango
        f"{LUCAS},,9\n"                      # 9: repetido
        ",,7\n"                              # 10: sin estudiante
        f"{VALENTINA},,\n"                   # 11: sin nota
        f"{VALENTINA},2024-001,7\n"          # 12: email y matrícula de distintos estudiantes
        "no-es-email,,7\n"                   # 13: email inválido
    )
    ruta = escribir(tmp_path, texto)
    antes = bdc.instantanea()
    r = cli("cargar", str(ruta), "-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre")
    assert r.codigo == 1, r.texto
    assert "11 líneas con problemas; no se cargó ninguna nota" in r.stderr
    esperados = [
        "línea 3: mateo.garcia@mail.com no pertenece al grupo '4to Grado A'",
        "línea 4: no existe un usuario con el email nadie@mail.com",
        "línea 5: ningún estudiante del grupo '4to Grado A' tiene la matrícula '2024-009'",
        "línea 6: nota: 'siete' no es un número",
        "línea 7: tiene 4 campos pero el encabezado tiene 3",
        "línea 8: valentina.ruiz@mail.com: la nota 11 está fuera de rango (de 0 a 10)",
        "línea 9: lucas.fernandez@mail.com está repetido (ya aparece en la línea 2)",
        "línea 10: falta el email o la matrícula del estudiante",
        "línea 11: falta la nota de valentina.ruiz@mail.com",
        "línea 12: el email valentina.ruiz@mail.com y la matrícula '2024-001' no son del mismo estudiante",
        "línea 13: email: 'no-es-email' no es un email válido",
    ]
    posiciones = []
    for e in esperados:
        assert e in r.stderr, e
        posiciones.append(r.stderr.index(e))
    assert posiciones == sorted(posiciones), "los problemas salen en orden de línea"
    assert "Traceback" not in r.texto
    assert bdc.instantanea() == antes


@pytest.mark.parametrize(
    "args, texto, mensaje",
    [
        (["-g", "4to Grado A 2023"], f"email,nota\n{LUCAS},8\n", "está inactivo"),
        (["-g", "No existe"], f"email,nota\n{LUCAS},8\n", "No existe el grupo 'No existe'"),
        (["--nota-maxima", "0"], f"email,nota\n{LUCAS},8\n", "la nota máxima debe ser mayor que 0"),
        ([], "nombre,nota\nLucas,8\n", "necesita una columna 'email' o 'matricula'"),
        ([], "email,puntaje\nx@y.com,8\n", "faltan columnas obligatorias: nota"),
        ([], "email,nota\n", "no tiene filas de notas"),
        (["--nota-maxima", "20"], f"email,nota\n{LUCAS},20,5\n", "tiene 3 campos"),
    ],
)
def test_cargar_rechaza_sin_escribir(cli, bdc, tmp_path, args, texto, mensaje):
    ruta = escribir(tmp_path, texto)
    antes = bdc.instantanea()
    opciones = {"-g": GRUPO, "-m": "Matemáticas", "-p": "1er Trimestre"}
    extra = [x for k, v in opciones.items() if k not in args for x in (k, v)]
    r = cli("cargar", str(ruta), *args, *extra)
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert bdc.instantanea() == antes


def test_cargar_archivo_inexistente(cli, bdc, tmp_path):
    r = cli("cargar", str(tmp_path / "no.csv"), "-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre")
    assert r.codigo == 1
    assert "no existe el archivo" in r.stderr


def test_cargar_sobre_20_se_compara_sobre_10(cli, bdc, tmp_path):
    ruta = escribir(tmp_path, f"email,nota\n{ANA_PEREZ},\"11,9\"\n")
    r = cli("cargar", str(ruta), "-g", "1er Año A", "-m", "Física", "-p", "3er Trimestre", "--nota-maxima", "20")
    assert r.codigo == 0, r.texto
    j = json.loads(cli("ver", "-g", "1er Año A", "-m", "fisica", "-p", "3er trimestre", "-f", "json").stdout)
    assert (j[0]["nota"], j[0]["nota_maxima"], j[0]["nota_10"], j[0]["condicion"]) == (11.9, 20.0, 5.95, "desaprobado")


def test_cargar_sin_columna_observaciones_conserva_las_que_habia(cli, bdc, tmp_path):
    base = ["-g", GRUPO, "-m", "Matemáticas", "-p", "1er Trimestre"]
    assert cli("registrar", *base, "-e", LUCAS, "-n", "8,5", "--observaciones", "ok").codigo == 0
    ruta = escribir(tmp_path, f"email,nota\n{LUCAS},8.5\n")
    r = cli("cargar", str(ruta), *base)
    assert "0 creadas, 0 actualizadas, 1 sin cambios" in r.stderr
    assert "1 estudiante del grupo sigue sin nota" not in r.stderr  # Valentina ya tenía nota
    assert nota_de(bdc, LUCAS, "Matemáticas", "1er Trimestre")[0][2] == "ok"


# --- Consultas en bloque -----------------------------------------------------------------------------
def test_cargar_es_un_upsert_cualquiera_sea_el_tamano_del_grupo(bdc, tmp_path, monkeypatch):
    emails = agregar_estudiantes(bdc.url, GRUPO, 300)
    ajustes = tmp_path / "ajustes.yaml"  # "Parcial 1" no es un trimestre: períodos libres
    ajustes.write_text("calendario:\n  periodos_libres: true\n", encoding="utf-8")
    monkeypatch.setenv("AMAUTA_AJUSTES", str(ajustes))

    def contar(n: int, periodo: str) -> tuple[int, int]:
        texto = "email,nota\n" + "".join(f"{e},{(i % 10) + 0.5}\n" for i, e in enumerate(emails[:n]))
        ruta = escribir(tmp_path, texto, nombre=f"n{n}.csv")
        # cargar va por el driver a secas (db.Cruda): se cuentan esas sentencias.
        with Contador(bdc.url, cruda=True) as c, transaccion(bdc.url) as s:
            r = cal.cargar(s, GRUPO, "Matemáticas", periodo, ruta)
        assert r.creadas == n
        escrituras = [x for x in c.sentencias if x.lstrip().upper().startswith("INSERT")]
        return len(c.sentencias), len(escrituras)

    pocos = contar(3, "Parcial 1")
    muchos = contar(300, "Parcial 2")
    assert pocos == muchos
    assert muchos[1] == 1  # un único INSERT ... ON CONFLICT para las 300 notas
    assert bdc.valor('SELECT count(*) FROM "Calificacion" WHERE periodo = :p', p="Parcial 2") == 300
