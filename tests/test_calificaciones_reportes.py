"""``amauta calificaciones reporte | boletin | desaprobados`` y las reglas configurables."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fabrica import ANA_PEREZ, ESCUELA, GRUPO, LUCAS, MATEO, VALENTINA, Contador, agregar_estudiantes
from conftest import invocar
from hypothesis import given
from hypothesis import strategies as st

from amauta_cli.db import transaccion
from amauta_cli.errores import DatosInvalidos
from amauta_cli.services import calificaciones as cal
from amauta_cli.services.calificaciones import Reglas, orden_natural, reglas_de


@pytest.fixture
def cli(bdc):
    def correr(*args: str, env: dict[str, str] | None = None):
        return invocar(bdc.url, "calificaciones", *args, env=env)

    return correr


@pytest.fixture
def ajustes(tmp_path, monkeypatch):
    """``ajustes("nota_aprobacion: 7")`` escribe la sección calificaciones y la activa."""

    def escribir(texto: str) -> Path:
        ruta = tmp_path / "ajustes.yaml"
        cuerpo = "\n".join("  " + l for l in texto.strip().splitlines())
        ruta.write_text(f"calificaciones:\n{cuerpo}\n", encoding="utf-8")
        monkeypatch.setenv("AMAUTA_AJUSTES", str(ruta))
        return ruta

    return escribir


def registrar(cli, grupo, email, materia, periodo, nota, maxima="10"):
    r = cli("registrar", "-g", grupo, "-e", email, "-m", materia, "-p", periodo, "-n", nota, "--nota-maxima", maxima)
    assert r.codigo == 0, r.texto


# --- reporte ------------------------------------------------------------------------------------
@pytest.mark.rapida
def test_reporte_del_seed_con_promedios(cli):
    r = cli("reporte", "--grupo", GRUPO, "--formato", "json")
    assert r.codigo == 0, r.texto
    rep = json.loads(r.stdout)
    assert rep["grupo"] == GRUPO
    [mat] = rep["materias"]
    assert mat["materia"] == "Matemáticas"
    assert mat["periodos"] == ["1er Trimestre", "2do Trimestre"]
    assert [(e["email"], e["notas"], e["promedio"], e["condicion"]) for e in mat["estudiantes"]] == [
        (LUCAS, {"1er Trimestre": 8.5, "2do Trimestre": 9.0}, 8.75, "aprobado"),
        (VALENTINA, {"1er Trimestre": 7.0, "2do Trimestre": 7.5}, 7.25, "aprobado"),
    ]
    assert mat["promedio_grupo"] == {"1er Trimestre": 7.75, "2do Trimestre": 8.25}
    assert mat["promedio_grupo_final"] == 8.0
    assert rep["reglas"]["nota_aprobacion"] == 6

    t = cli("reporte", "-g", GRUPO, "-m", "matemáticas")
    assert t.codigo == 0, t.texto
    assert "Matemáticas · 4to Grado A" in t.stdout
    lucas = next(l for l in t.stdout.splitlines() if LUCAS in l)
    assert "8,5" in lucas and " 9 " in f" {lucas} " and "8,75" in lucas
    grupo = next(l for l in t.stdout.splitlines() if "Promedio del grupo" in l)
    assert "7,75" in grupo and "8,25" in grupo and " 8 " in f" {grupo} "
    assert "2 aprobados · 0 desaprobados" in t.stdout

    c = cli("reporte", "-g", GRUPO, "-f", "csv")
    filas = list(csv.DictReader(io.StringIO(c.stdout)))
    assert list(filas[0]) == ["fila", "materia", "apellido", "nombre", "email", "1er Trimestre", "2do Trimestre", "promedio", "condicion"]
    assert [(f["fila"], f["email"], f["1er Trimestre"], f["2do Trimestre"], f["promedio"]) for f in filas] == [
        ("estudiante", LUCAS, "8.5", "9", "8.75"),
        ("estudiante", VALENTINA, "7", "7.5", "7.25"),
        ("promedio_grupo", "", "7.75", "8.25", "8"),
    ]


def test_reporte_varias_materias_y_sin_nota(cli):
    registrar(cli, GRUPO, LUCAS, "Lengua", "1er Trimestre", "4")
    registrar(cli, GRUPO, LUCAS, "Ciencias Naturales", "1er Trimestre", "7")
    rep = json.loads(cli("reporte", "-g", GRUPO, "-f", "json").stdout)
    assert [m["materia"] for m in rep["materias"]] == ["Ciencias Naturales", "Lengua", "Matemáticas"]
    lengua = rep["materias"][1]
    assert [(e["email"], e["promedio"], e["condicion"]) for e in lengua["estudiantes"]] == [
        (LUCAS, 4.0, "desaprobado"),
        (VALENTINA, None, "sin nota"),
    ]
    assert lengua["desaprobados"] == 1 and lengua["aprobados"] == 0
    t = cli("reporte", "-g", GRUPO, "-m", "lengua")
    valentina = next(l for l in t.stdout.splitlines() if VALENTINA in l)
    assert valentina.count("sin nota") == 3


def test_reporte_materia_inexistente(cli, bdc):
    r = cli("reporte", "-g", GRUPO, "-m", "Música")
    assert r.codigo == 1
    assert "El grupo '4to Grado A' no tiene notas de 'Música'. Materias con notas: Matemáticas." in r.stderr
    r = cli("reporte", "-g", "Inexistente")
    assert r.codigo == 1 and "No existe el grupo 'Inexistente'" in r.stderr


def test_reporte_nota_maxima_20_en_escala_de_10(cli):
    rep = json.loads(cli("reporte", "-g", "1er Año A", "-f", "json").stdout)
    [e] = rep["materias"][0]["estudiantes"]
    assert (e["email"], e["notas"], e["promedio"], e["condicion"]) == (
        ANA_PEREZ, {"1er Trimestre": 5.0, "2do Trimestre": 6.5}, 5.75, "desaprobado"
    )


# --- boletín ------------------------------------------------------------------------------------
def test_boletin_de_lucas(cli):
    r = cli("boletin", "--estudiante", LUCAS, "-f", "json")
    assert r.codigo == 0, r.texto
    b = json.loads(r.stdout)
    assert (b["email"], b["grupo"], b["matricula"], b["grado"], b["seccion"]) == (LUCAS, GRUPO, "2024-001", "4to", "A")
    # Los períodos del calendario (trimestres por defecto), en su orden, aunque alguno no tenga notas.
    assert b["periodos"] == ["1er Trimestre", "2do Trimestre", "3er Trimestre"]
    assert b["materias"] == [
        {"materia": "Matemáticas", "notas": {"1er Trimestre": 8.5, "2do Trimestre": 9.0, "3er Trimestre": None},
         "promedio": 8.75, "condicion": "aprobado", "observaciones": {}}
    ]
    assert (b["promedio_general"], b["aprobadas"], b["desaprobadas"]) == (8.75, 1, 0)

    t = cli("boletin", "-e", VALENTINA)
    assert t.codigo == 0, t.texto
    assert "Ruiz, Valentina" in t.stdout and "2024-002" in t.stdout
    mat = next(l for l in t.stdout.splitlines() if "Matemáticas" in l)
    assert " 7 " in f" {mat} " and "7,5" in mat and "7,25" in mat and "aprobado" in mat
    assert "1 aprobada, 0 desaprobadas" in t.stdout

    viejo = json.loads(cli("boletin", "-e", LUCAS, "-g", "4to Grado A 2023", "-f", "json").stdout)
    assert viejo["materias"][0]["promedio"] == 3.0 and viejo["materias"][0]["condicion"] == "desaprobado"


def test_boletin_promedio_general_y_sin_nota(cli):
    registrar(cli, GRUPO, LUCAS, "Lengua", "1er Trimestre", "5")
    registrar(cli, GRUPO, LUCAS, "Lengua", "2do Trimestre", "5,5")
    registrar(cli, GRUPO, VALENTINA, "Música", "1er Trimestre", "9")
    b = json.loads(cli("boletin", "-e", LUCAS, "-f", "json").stdout)
    assert [(m["materia"], m["promedio"], m["condicion"]) for m in b["materias"]] == [
        ("Lengua", 5.25, "desaprobado"),
        ("Matemáticas", 8.75, "aprobado"),
        ("Música", None, "sin nota"),
    ]
    assert b["promedio_general"] == 7.0  # (5,25 + 8,75) / 2
    assert (b["aprobadas"], b["desaprobadas"], b["sin_nota"]) == (1, 1, 1)
    todos = json.loads(cli("boletin", "-g", GRUPO, "-f", "json").stdout)
    assert [x["email"] for x in todos] == [LUCAS, VALENTINA]
    c = list(csv.DictReader(io.StringIO(cli("boletin", "-g", GRUPO, "-f", "csv").stdout)))
    notas = [f for f in c if not f["materia"].startswith("Asistencia")]
    assert len(notas) == 6 and c[0]["materia"] == "Lengua" and c[0]["2do Trimestre"] == "5.5"
    assert len(c) - len(notas) == 6  # días, inasistencias y % de cada uno de los dos


def test_boletin_pide_grupo_si_el_estudiante_esta_en_varios(cli, bdc):
    bdc.ejecutar(
        'INSERT INTO "GrupoEstudiante" ("grupoId", "estudianteId") '
        'SELECT g.id, u.id FROM "Grupo" g, "Usuario" u WHERE g.nombre = \'3ro Grado B\' AND u.email = :e',
        e=LUCAS,
    )
    r = cli("boletin", "-e", LUCAS)
    assert r.codigo == 1
    assert "está en varios grupos" in r.stderr and "'3ro Grado B'" in r.stderr and "--grupo" in r.stderr
    assert cli("boletin", "-e", LUCAS, "-g", GRUPO).codigo == 0
    r = cli("boletin", "-e", MATEO, "-g", GRUPO)
    assert r.codigo == 1 and "no pertenece al grupo '4to Grado A'" in r.stderr
    r = cli("boletin")
    assert r.codigo == 1 and "Indique --estudiante" in r.stderr


def test_boletin_html_un_archivo_y_una_carpeta(cli, bdc, tmp_path):
    # Valores con HTML: todo se escapa.
    bdc.ejecutar('UPDATE "Usuario" SET nombre = :n WHERE email = :e', n="<script>alert(1)</script>", e=VALENTINA)
    registrar(cli, GRUPO, VALENTINA, "Arte & <Música>", "1er Trimestre", "4")
    archivo = tmp_path / "lucas.html"
    r = cli("boletin", "-e", LUCAS, "--html", str(archivo))
    assert r.codigo == 0, r.texto
    assert f"Boletín escrito en {archivo}" in r.stderr
    pagina = archivo.read_text(encoding="utf-8")
    assert pagina.startswith("<!DOCTYPE html>") and '<html lang="es">' in pagina
    assert "<style>" in pagina and "@media print" in pagina
    assert "http://" not in pagina and "https://" not in pagina and "<script" not in pagina  # autocontenida
    assert "Fernández, Lucas" in pagina and "8,75" in pagina and "aprobado" in pagina
    assert "Arte &amp; &lt;Música&gt;" in pagina and "sin nota" in pagina

    carpeta = tmp_path / "boletines" / "4to A"
    r = cli("boletin", "-g", GRUPO, "--html", str(carpeta))
    assert r.codigo == 0, r.texto
    assert "2 boletines escritos" in r.stderr
    archivos = sorted(p.name for p in carpeta.iterdir())
    assert archivos == ["boletin-fernandez-lucas.html", "boletin-ruiz-script-alert-1-script.html"]
    v = (carpeta / archivos[1]).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in v and "<script>" not in v
    assert "4" in v and "desaprobado" in v

    r = cli("boletin", "-g", GRUPO, "--html", str(archivo))
    assert r.codigo == 1 and "debe ser una carpeta" in r.stderr


# --- desaprobados ---------------------------------------------------------------------------------
@pytest.mark.rapida
def test_desaprobados_de_todos_los_grupos_activos(cli):
    r = cli("desaprobados", "-f", "json")
    assert r.codigo == 0, r.texto
    filas = json.loads(r.stdout)
    # Lucas tiene 3 en el grupo inactivo "4to Grado A 2023": no cuenta.
    assert [(f["materia"], f["email"], f["nota"], f["grupo"], f["periodos"]) for f in filas] == [
        ("Física", ANA_PEREZ, 5.75, "1er Año A", 2),
        ("Lengua", MATEO, 5.0, "3ro Grado B", 1),
    ]
    t = cli("desaprobados")
    assert "Desaprobados: todos los grupos activos" in t.stdout and "5,75" in t.stdout
    assert "2 estudiantes, 2 materias desaprobadas" in t.stdout


def test_desaprobados_por_materia_los_peores_primero(cli):
    registrar(cli, GRUPO, LUCAS, "Lengua", "1er Trimestre", "2")
    registrar(cli, GRUPO, VALENTINA, "Lengua", "1er Trimestre", "5,5")
    filas = json.loads(cli("desaprobados", "-i", ESCUELA.lower(), "-f", "json").stdout)
    assert [(f["materia"], f["email"], f["nota"]) for f in filas] == [
        ("Lengua", LUCAS, 2.0),
        ("Lengua", MATEO, 5.0),
        ("Lengua", VALENTINA, 5.5),
    ]
    c = list(csv.DictReader(io.StringIO(cli("desaprobados", "-g", GRUPO, "-f", "csv").stdout)))
    assert [(f["email"], f["nota"]) for f in c] == [(LUCAS, "2"), (VALENTINA, "5.5")]
    viejo = json.loads(cli("desaprobados", "-g", "4to Grado A 2023", "-f", "json").stdout)
    assert [(f["email"], f["nota"]) for f in viejo] == [(LUCAS, 3.0)]


def test_desaprobados_por_periodo(cli):
    registrar(cli, "1er Año A", ANA_PEREZ, "Física", "3er Trimestre", "19", "20")
    # Nota final de Ana: (5 + 6,5 + 9,5) / 3 = 7: aprueba. Pero en el 1er trimestre tuvo 5.
    finales = json.loads(cli("desaprobados", "-i", "Colegio San Martín", "-f", "json").stdout)
    assert finales == []
    r = cli("desaprobados", "-i", "Colegio San Martín")
    assert r.codigo == 0 and "Nadie está por debajo de 6 en la nota final" in r.stderr
    p1 = json.loads(cli("desaprobados", "-p", "1ER TRIMESTRE", "-f", "json").stdout)
    assert [(f["materia"], f["email"], f["nota"]) for f in p1] == [("Física", ANA_PEREZ, 5.0), ("Lengua", MATEO, 5.0)]
    assert json.loads(cli("desaprobados", "-p", "2do Trimestre", "-f", "json").stdout) == []


def test_desaprobados_alcance_desconocido(cli):
    r = cli("desaprobados", "-i", "Escuela Fantasma")
    assert r.codigo == 1 and "No existe la institución 'Escuela Fantasma'" in r.stderr


# --- Reglas: nota de aprobación, nota final y redondeo ---------------------------------------------
@pytest.mark.parametrize(
    "notas, final, condicion",
    [
        (("6", "6"), 6.0, "aprobado"),            # justo la nota de aprobación: aprueba
        (("5,99", "5,99"), 5.99, "desaprobado"),  # una centésima menos: desaprueba
        (("5,99", "6"), 6.0, "aprobado"),         # 5,995 se redondea a 6,00: aprueba
        (("5,98", "6"), 5.99, "desaprobado"),     # 5,99
    ],
)
def test_nota_de_aprobacion_en_el_borde(cli, notas, final, condicion):
    registrar(cli, GRUPO, LUCAS, "Lengua", "1er Trimestre", notas[0])
    registrar(cli, GRUPO, LUCAS, "Lengua", "2do Trimestre", notas[1])
    b = json.loads(cli("boletin", "-e", LUCAS, "-f", "json").stdout)
    lengua = b["materias"][0]
    assert (lengua["materia"], lengua["promedio"], lengua["condicion"]) == ("Lengua", final, condicion)
    d = json.loads(cli("desaprobados", "-g", GRUPO, "-f", "json").stdout)
    assert ([(f["email"], f["nota"]) for f in d] == [(LUCAS, final)]) == (condicion == "desaprobado")


def test_nota_de_aprobacion_en_el_borde_sobre_20(cli):
    registrar(cli, "1er Año A", ANA_PEREZ, "Química", "1er Trimestre", "12", "20")   # = 6: aprueba
    registrar(cli, "1er Año A", ANA_PEREZ, "Biología", "1er Trimestre", "11,9", "20")  # = 5,95: desaprueba
    d = json.loads(cli("desaprobados", "-g", "1er Año A", "-f", "json").stdout)
    assert [(f["materia"], f["nota"]) for f in d] == [("Biología", 5.95), ("Física", 5.75)]


def test_ajuste_nota_de_aprobacion(cli, ajustes):
    ajustes("nota_aprobacion: 7.5")
    d = json.loads(cli("desaprobados", "-g", GRUPO, "-f", "json").stdout)
    assert [(f["email"], f["nota"]) for f in d] == [(VALENTINA, 7.25)]
    rep = json.loads(cli("reporte", "-g", GRUPO, "-f", "json").stdout)
    assert rep["reglas"]["nota_aprobacion"] == 7.5
    assert [e["condicion"] for e in rep["materias"][0]["estudiantes"]] == ["aprobado", "desaprobado"]
    t = cli("boletin", "-e", VALENTINA)
    assert "se aprueba con 7,5" in t.stdout and "desaprobado" in t.stdout


def test_ajuste_nota_final_ponderada_y_decimales(cli, ajustes):
    ajustes("nota_final: ponderado\npesos:\n  2do trimestre: 3\ndecimales: 1")
    rep = json.loads(cli("reporte", "-g", GRUPO, "-f", "json").stdout)
    [lucas, valentina] = rep["materias"][0]["estudiantes"]
    assert lucas["promedio"] == 8.9       # (8,5 + 3 × 9) / 4 = 8,875 → 8,9
    assert valentina["promedio"] == 7.4   # (7 + 3 × 7,5) / 4 = 7,375 → 7,4
    assert rep["materias"][0]["promedio_grupo"] == {"1er Trimestre": 7.8, "2do Trimestre": 8.3}
    b = json.loads(cli("boletin", "-e", LUCAS, "-f", "json").stdout)
    assert b["materias"][0]["promedio"] == 8.9
    t = cli("reporte", "-g", GRUPO)
    assert "promedio ponderado de los períodos, 1 decimal " in t.stdout


def test_ajuste_ponderado_en_desaprobados(cli, ajustes):
    ajustes("nota_final: ponderado\npesos:\n  1er Trimestre: 3")
    # Ana: (3 × 5 + 6,5) / 4 = 5,375; Mateo solo tiene el 1er trimestre: 5.
    d = json.loads(cli("desaprobados", "-f", "json").stdout)
    assert [(f["email"], f["nota"]) for f in d] == [(ANA_PEREZ, 5.38), (MATEO, 5.0)]


@pytest.mark.parametrize(
    "texto, mensaje",
    [
        ("nota_aprobacion: 0", "calificaciones.nota_aprobacion debe ser un número mayor que 0 y hasta 10"),
        ("nota_aprobacion: 11", "hasta 10"),
        ("nota_aprobacion: seis", "calificaciones.nota_aprobacion debe ser del mismo tipo"),
        ("nota_final: mediana", "calificaciones.nota_final debe ser promedio o ponderado"),
        ("nota_final: ponderado\npesos:\n  1er Trimestre: 0", "calificaciones.pesos['1er Trimestre'] debe ser un número mayor que 0"),
        ("pesos:\n  1er Trimestre: 2", "calificaciones.pesos solo se usa con nota_final: ponderado"),
        ("decimales: 7", "calificaciones.decimales debe ser un entero de 0 a 4"),
        ("redondeo: 2", "calificaciones.redondeo no es un ajuste conocido"),
    ],
)
def test_ajustes_invalidos(cli, ajustes, texto, mensaje):
    ajustes(texto)
    r = cli("reporte", "-g", GRUPO)
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert "Traceback" not in r.texto


def test_reglas_por_defecto_sin_archivo():
    assert cal.reglas() == Reglas(6.0, "promedio", (), 2)


@pytest.mark.rapida
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=3))
def test_redondeo_mitad_hacia_arriba(milesimos, decimales):
    """Redondear da lo mismo que hacerlo a mano con el número escrito en decimal."""
    from decimal import ROUND_HALF_UP, Decimal

    valor = milesimos / 1000
    esperado = float(Decimal(milesimos).scaleb(-3).quantize(Decimal(1).scaleb(-decimales), ROUND_HALF_UP))
    assert Reglas(decimales=decimales).redondear(valor) == esperado


@given(
    st.floats(min_value=0, max_value=10, allow_nan=False),
    st.sampled_from([4, 5.5, 6, 6.25, 7, 5.555, 10]),
    st.integers(min_value=0, max_value=3),
)
def test_el_filtro_sql_de_desaprobados_no_pierde_a_nadie(valor, aprobacion, decimales):
    """El HAVING de desaprobados (valor < umbral_sql) deja pasar a todo el que desaprueba
    y solo agrega, de más, el margen de ruido binario que Python descarta después."""
    r = Reglas(nota_aprobacion=aprobacion, decimales=decimales)
    desaprueba = r.condicion(r.redondear(valor)) == "desaprobado"
    if desaprueba:
        assert valor < r.umbral_sql
    if valor < r.umbral_sql - 2e-9:
        assert desaprueba


def test_redondeo_no_hereda_el_ruido_binario():
    r = Reglas()
    assert r.redondear((5.99 + 6.0) / 2) == 6.0
    assert r.redondear(8.875) == 8.88
    assert r.redondear(1.005) == 1.01
    assert r.redondear(2.675) == 2.68
    assert r.redondear(5.99499) == 5.99
    assert Reglas(decimales=0).redondear(5.5) == 6.0
    assert Reglas(decimales=1).redondear(8.875) == 8.9


def test_orden_natural_de_periodos():
    periodos = ["Parcial 10", "3er Trimestre", "Parcial 2", "1er Trimestre", "2do Trimestre"]
    assert sorted(periodos, key=orden_natural) == [
        "1er Trimestre", "2do Trimestre", "3er Trimestre", "Parcial 2", "Parcial 10"
    ]


def test_reglas_de_valida_tipos():
    with pytest.raises(DatosInvalidos, match="decimales"):
        reglas_de({"decimales": 1.5})


# --- Consultas en bloque --------------------------------------------------------------------------
def test_reportes_son_pocas_consultas_cualquiera_sea_el_tamano(bdc, tmp_path):
    """reporte, boletín del grupo y desaprobados: las mismas consultas con 2 o con 302 estudiantes."""

    def consultas() -> dict[str, int]:
        r = Reglas()
        n = {}
        for nombre, fn in {
            "reporte": lambda s: cal.reporte(s, GRUPO, r=r),
            "boletines": lambda s: cal.boletines(s, grupo=GRUPO, r=r),
            "desaprobados": lambda s: cal.desaprobados(s, r=r),
        }.items():
            # Las consultas de los tres van por el driver a secas (db.Cruda): se cuentan esas también.
            with transaccion(bdc.url, solo_lectura=True) as s, Contador(bdc.url, cruda=True) as c:
                fn(s)
            agregadas = [x for x in c.sentencias if "GROUP BY" in x.upper()]
            n[nombre] = (len(c.sentencias), len(agregadas))
        return n

    chico = consultas()
    emails = agregar_estudiantes(bdc.url, GRUPO, 300)
    for periodo in ("1er Trimestre", "2do Trimestre"):
        texto = "email,nota\n" + "".join(f"{e},{(i % 11)}\n" for i, e in enumerate(emails))
        ruta = tmp_path / "n.csv"
        ruta.write_text(texto, encoding="utf-8")
        with transaccion(bdc.url) as s:
            cal.cargar(s, GRUPO, "Matemáticas", periodo, ruta)
    grande = consultas()
    assert chico == grande
    # (+ SET LOCAL y, en PostgreSQL, de qué escuela son las credenciales: una consulta fija)
    assert grande["desaprobados"][1] == 1 and grande["desaprobados"][0] <= 3
    # reporte y boletines: buscar el grupo (y su institución), UNA consulta de agregación, el padrón.
    assert grande["reporte"][1] == 1 and grande["reporte"][0] <= 5
    # boletines: además, la asistencia por período (otra agregación), las observaciones, el
    # calendario de la institución y lo archivado (ahora se cuentan también las sentencias por
    # el driver a secas, que antes no se veían: buscar el grupo y el padrón).
    assert grande["boletines"][1] == 2 and grande["boletines"][0] <= 12, grande
    with transaccion(bdc.url, solo_lectura=True) as s:
        d = cal.desaprobados(s, grupo=GRUPO)
    # notas i % 11 en ambos períodos: 0..5 desaprueban (6 de cada 11)
    assert len(d.filas) == sum(1 for i in range(300) if i % 11 < 6)
