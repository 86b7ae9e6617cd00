"""``amauta asistencia planilla`` (la planilla mensual) y la asistencia por período del boletín,
sobre un mes calculado a mano. Ambos motores.

Julio de 2026 en la Escuela Nº 42 (calendario de ``test_calendario``): días de clase 1, 2, 3, 6,
7, 8, 13, 14, 15, 16 y 17 (11); el 9 y el 10 feriados; del 20 al 31, receso invernal.

    Lucas      11 P (y un AUSENTE forzado el 9, feriado: se ve pero no cuenta)  → 0 inasistencias
    Valentina  T el 2 y el 7, A el 13, J el 14, P los otros 7               → 1 + 2×½ + 1 = 3
    Mateo      A el 1 y el 3, P los otros 9                                 → 2
    Sofía      T el 6, el 8 y el 15, P los otros 8                          → 1,5
    Total del mes: 35 P, 3 A, 5 T, 1 J → 6,5 inasistencias.
    Junio: el 2, Mateo A y los demás P → en el año, Mateo 3 y el grupo 7,5.
    Mayo: el 4 Valentina A y el 5 T (solo ella).
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date

import pytest

from fabrica import ESCUELA, GRUPO, LUCAS, MATEO, OTRO_GRUPO, PEDRO, SOFIA, VALENTINA, preparar
from test_calendario import AJUSTES

DIAS_DE_CLASE = [1, 2, 3, 6, 7, 8, 13, 14, 15, 16, 17]
EXCEPCIONES = {
    2: [(VALENTINA, "TARDANZA")], 7: [(VALENTINA, "TARDANZA")], 13: [(VALENTINA, "AUSENTE")],
    14: [(VALENTINA, "JUSTIFICADO", "certificado médico")],
    1: [(MATEO, "AUSENTE")], 3: [(MATEO, "AUSENTE")],
    6: [(SOFIA, "TARDANZA")], 8: [(SOFIA, "TARDANZA")], 15: [(SOFIA, "TARDANZA")],
}


@pytest.fixture(autouse=True)
def _ajustes(tmp_path) -> None:
    ruta = tmp_path / "xdg-config" / "amauta" / "ajustes.yaml"
    ruta.parent.mkdir(parents=True, exist_ok=True)
    ruta.write_text(AJUSTES, encoding="utf-8")


def _cargar(url: str) -> None:
    from amauta_cli.db import transaccion
    from amauta_cli.services.asistencia import Marca, registrar

    def dia(d: date, marcas, todos="PRESENTE", forzar=False):
        with transaccion(url) as s:
            registrar(s, GRUPO, d, [Marca(*m) for m in marcas], todos=todos, forzar=forzar)

    dia(date(2026, 5, 4), [(VALENTINA, "AUSENTE")], todos=None)
    dia(date(2026, 5, 5), [(VALENTINA, "TARDANZA")], todos=None)
    dia(date(2026, 6, 2), [(MATEO, "AUSENTE")])
    for d in DIAS_DE_CLASE:
        dia(date(2026, 7, d), EXCEPCIONES.get(d, []))
    dia(date(2026, 7, 9), [(LUCAS, "AUSENTE")], todos=None, forzar=True)


def _preparar(url: str) -> None:
    preparar("asistencia")(url)
    _cargar(url)


@pytest.fixture
def bd(crear_plantilla, _ajustes):
    return crear_plantilla("asistencia_julio_2026", _preparar)


def _planilla(cli, *args):
    r = cli("asistencia", "planilla", "--grupo", GRUPO, "--mes", "2026-07", *args)
    assert r.codigo == 0, r.texto
    return r


def test_planilla_del_mes_calculada_a_mano(bd, cli):
    p = json.loads(_planilla(cli, "-f", "json").stdout)
    assert (p["grupo"], p["educador"], p["educador_email"], p["dias_de_clase"]) == (
        GRUPO, "María González", "maria.gonzalez@edu.ar", 11
    )
    # Una columna por día de lunes a viernes: 23; los sin clase, con su motivo.
    dias = {d["fecha"]: d for d in p["dias"]}
    assert len(dias) == 23 and "2026-07-11" not in dias
    assert dias["2026-07-09"] == {"fecha": "2026-07-09", "de_clase": False, "motivo": "feriado: Día de la Independencia"}
    assert dias["2026-07-21"]["motivo"].startswith("receso invernal") and dias["2026-07-08"]["de_clase"]
    # Orden alfabético español; Pedro (inactivo, sin registros) no está.
    filas = p["estudiantes"]
    assert [f["email"] for f in filas] == [LUCAS, MATEO, SOFIA, VALENTINA]
    por = {f["email"]: f for f in filas}
    v = por[VALENTINA]
    assert [v[f"2026-07-{d:02d}"] for d in (1, 2, 7, 13, 14, 17)] == ["P", "T", "T", "A", "J", "P"]
    assert v["2026-07-21"] == ""
    clave = ("presentes", "ausentes", "tardanzas", "justificados", "inasistencias", "inasistencias_anio")
    assert {e: tuple(f[k] for k in clave) for e, f in por.items()} == {
        LUCAS: (11, 0, 0, 0, 0, 0),
        MATEO: (9, 2, 0, 0, 2, 3),
        SOFIA: (8, 0, 3, 0, 1.5, 1.5),
        VALENTINA: (7, 1, 2, 1, 3, 4.5),  # en el año, también el 4 y el 5 de mayo
    }
    assert por[LUCAS]["2026-07-09"] == "A"  # el forzado se ve en su día gris, pero no cuenta
    t_mes, t_anio = p["totales_mes"], p["totales_anio"]
    assert (t_mes["presentes"], t_mes["ausentes"], t_mes["tardanzas"], t_mes["justificados"], t_mes["inasistencias"]) == (
        35, 3, 5, 1, 6.5
    )
    assert t_anio["inasistencias"] == 9.0  # 6,5 + Mateo el 2/6 + Valentina 1,5 en mayo


@pytest.mark.rapida
def test_planilla_en_la_terminal(bd, cli, monkeypatch):
    r = _planilla(cli)
    assert "Planilla de asistencia de julio de 2026" in r.stdout
    assert "Docente: María González (maria.gonzalez@edu.ar)" in r.stdout
    assert "Días sin clase: 9/7/2026 (F) feriado: Día de la Independencia; 10/7/2026 (F)" in r.stdout
    assert "20/7/2026 (R) receso invernal" in r.stdout
    ruiz = next(l for l in r.stdout.splitlines() if l.startswith("Ruiz, Valentina"))
    celdas = ruiz.split()
    # P T P | P T P F F | A J P P P | R×10 | totales
    assert celdas[2:15] == ["P", "T", "P", "P", "T", "P", "F", "F", "A", "J", "P", "P", "P"]
    assert celdas[15:25] == ["R"] * 10 and celdas[25:] == ["7", "1", "2", "1", "3", "4,5"]
    total = next(l for l in r.stdout.splitlines() if l.startswith("Total"))
    assert total.split()[1:] == ["35", "3", "5", "1", "6,5", "9"]
    # A 80 columnas no entra: lo dice y sugiere --html o --formato excel.
    monkeypatch.setenv("COLUMNS", "80")
    r = _planilla(cli)
    assert "la planilla no entra en esta terminal" in r.stderr and "--html" in r.stderr and "--formato excel" in r.stderr


def test_planilla_para_excel(bd, cli):
    r = _planilla(cli, "-f", "excel")
    texto = r.stdout.lstrip("\ufeff")
    filas = list(csv.reader(io.StringIO(texto), delimiter=";"))
    assert filas[0][:5] == ["Apellido", "Nombre", "Email", "Matrícula", "mié 01/07"]
    assert "jue 09/07 (feriado: Día de la Independencia)" in filas[0]
    ruiz = next(f for f in filas if f[0] == "Ruiz")
    assert ruiz[-3:] == ["3", "4,5", "81,8"]  # coma decimal; (7+2)/11
    assert r.stdout.startswith("\ufeff")


def test_planilla_html_imprimible(bd, cli, tmp_path):
    bd.ejecutar("""UPDATE "Usuario" SET nombre = :n WHERE email = :e""", n="Sofía <b>&</b>", e=SOFIA)
    ruta = tmp_path / "julio.html"
    r = _planilla(cli, "--html", str(ruta))
    assert f"Planilla imprimible escrita en {ruta} (A4 apaisada)" in r.stderr
    pagina = ruta.read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(ruta).st_mode) == 0o600
    assert pagina.startswith("<!DOCTYPE html>") and '<html lang="es">' in pagina
    assert '<body class="apaisada">' in pagina and "size: A4 landscape" in pagina
    assert "<script" not in pagina and "http" not in pagina
    assert f'<div class="institucion">{ESCUELA}</div>' in pagina
    assert "<h1>Planilla de asistencia de julio de 2026</h1>" in pagina
    assert "Grupo: 4to Grado A (4to A)" in pagina and "Docente: María González" in pagina and "Mes: julio de 2026" in pagina
    assert '<table class="planilla">' in pagina
    assert pagina.count('<th class="izq dia gris">') == 12  # 9, 10 y el receso: grises
    assert '<th class="izq dia gris">ju 9</th>' in pagina and '<th class="izq dia">mi 8</th>' in pagina
    assert pagina.count('<td class="izq dia gris">') == 12 * 5  # 4 estudiantes y los totales
    assert "Pérez, Sofía &lt;b&gt;&amp;&lt;/b&gt;" in pagina
    assert '<div class="firma">Firma del docente</div>' in pagina and "Firma de la dirección" in pagina
    assert "<tfoot>" in pagina and ">6,5<" in pagina


def test_planillas_de_toda_la_institucion(bd, cli, tmp_path):
    carpeta = tmp_path / "planillas"
    r = cli("asistencia", "planilla", "--institucion", ESCUELA, "--mes", "2026-07", "--html", str(carpeta))
    assert r.codigo == 0, r.texto
    assert "2 planillas escritas en" in r.stderr
    archivos = sorted(p.name for p in carpeta.iterdir())
    assert archivos == ["planilla-4to-grado-a-2026-07.html", "planilla-5to-grado-b-2026-07.html"]  # no el inactivo
    assert OTRO_GRUPO in (carpeta / archivos[1]).read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(carpeta).st_mode) == 0o700


def test_planilla_uso(bd, cli):
    r = cli("asistencia", "planilla", "--mes", "2026-07")
    assert r.codigo == 2 and "--grupo" in r.texto
    r = cli("asistencia", "planilla", "--institucion", ESCUELA, "--mes", "2026-07")
    assert r.codigo == 2 and "--html CARPETA" in r.texto
    r = cli("asistencia", "planilla", "-g", GRUPO, "--mes", "julio")
    assert r.codigo == 1 and "--mes: 'julio' no es un mes válido" in r.stderr
    r = cli("asistencia", "planilla", "-g", "nada", "--mes", "2026-07")
    assert r.codigo == 1 and "No existe el grupo 'nada'" in r.stderr


# --- El boletín con asistencia --------------------------------------------------------------------
def test_boletin_con_asistencia_por_periodo_y_del_anio(bd, cli):
    r = cli("calificaciones", "registrar", "-g", GRUPO, "-e", VALENTINA, "-m", "Matemáticas", "-p", "2T",
            "-n", "7", "--observaciones", "Mejoró en geometría")
    assert r.codigo == 0, r.texto
    b = json.loads(cli("calificaciones", "boletin", "-e", VALENTINA, "--anio", "2026", "-f", "json").stdout)
    assert b["anio"] == 2026 and b["periodos"] == ["1er Trimestre", "2do Trimestre", "3er Trimestre"]
    assert b["materias"][0]["observaciones"] == {"2do Trimestre": "Mejoró en geometría"}
    por = {a["periodo"]: a for a in b["asistencia"]}
    clave = ("registrados", "presentes", "tardanzas", "ausentes", "justificados", "inasistencias", "porcentaje")
    # 1er trimestre: el 4/5 A y el 5/5 T → 1,5 y 1 de 2 días; 2do: el 2/6 P y julio (7 P, 2 T, 1 A,
    # 1 J) → 3 y (8 + 2) / 12; 3ro: nada todavía. El año: 4,5 y (8 + 2 + 1) / 14.
    assert tuple(por["1er Trimestre"][k] for k in clave) == (2, 0, 1, 1, 0, 1.5, 50.0)
    assert tuple(por["2do Trimestre"][k] for k in clave) == (12, 8, 2, 1, 1, 3, 83.3)
    assert tuple(por["3er Trimestre"][k] for k in clave) == (0, 0, 0, 0, 0, 0, None)
    assert (por["2do Trimestre"]["desde"], por["2do Trimestre"]["hasta"]) == ("2026-06-01", "2026-08-31")
    anual = b["asistencia_anual"]
    assert tuple(anual[k] for k in clave) == (14, 8, 3, 2, 1, 4.5, 78.6)

    t = cli("calificaciones", "boletin", "-e", VALENTINA, "--anio", "2026")
    assert t.codigo == 0, t.texto
    assert "Asistencia del ciclo lectivo 2026" in t.stdout
    inasist = next(l for l in t.stdout.splitlines() if l.startswith("Inasistencias"))
    assert inasist.split()[1:] == ["1,5", "3", "0", "4,5"]  # por trimestre y el ciclo
    porcentaje = next(l for l in t.stdout.splitlines() if l.startswith("% de asistencia"))
    assert porcentaje.split()[3:] == ["50", "%", "83,3", "%", "—", "78,6", "%"]
    assert "justificadas en el año: 1" in t.stdout
    assert "Observación de Matemáticas, 2do Trimestre: Mejoró en geometría" in t.stdout
    c = list(csv.DictReader(io.StringIO(cli("calificaciones", "boletin", "-e", VALENTINA, "-f", "csv").stdout)))
    fila = next(f for f in c if f["materia"] == "Asistencia: %")
    assert (fila["1er Trimestre"], fila["2do Trimestre"], fila["promedio"]) == ("50", "83.3", "78.6")


def test_boletin_html_con_asistencia_y_observaciones(bd, cli, tmp_path):
    cli("calificaciones", "registrar", "-g", GRUPO, "-e", VALENTINA, "-m", "Matemáticas", "-p", "1er trimestre",
        "-n", "6", "--observaciones", "Debe <repasar> fracciones")
    ruta = tmp_path / "b.html"
    r = cli("calificaciones", "boletin", "-e", VALENTINA, "--anio", "2026", "--html", str(ruta))
    assert r.codigo == 0, r.texto
    pagina = ruta.read_text(encoding="utf-8")
    assert "<h2>Asistencia del ciclo lectivo 2026</h2>" in pagina
    assert '<tr><td class="izq">Inasistencias</td><td class="centro">1,5</td><td class="centro">3</td>' in pagina
    assert '<td class="centro">78,6 %</td>' in pagina
    assert '<p class="observacion">Observación de Matemáticas, 1er Trimestre: Debe &lt;repasar&gt; fracciones</p>' in pagina
    assert PEDRO not in pagina
