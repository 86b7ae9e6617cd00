"""El calendario escolar: ``amauta calendario ver``, los feriados y el ciclo lectivo en las reglas
de asistencia, y los días a medio tomar (``pendientes``). Ambos motores.

Calendario de estas pruebas (archivo de ajustes): ciclo lectivo del 2/3 al 18/12 de cada año,
receso invernal 2026 del 20 al 31 de julio, el 11/9/2026 asueto (Día del Maestro); el Colegio
San Martín empieza el 9/3/2026. Feriados nacionales del paquete ``holidays``: en 2025 el 2/5
(puente) y el 24/11 (Soberanía Nacional, trasladado del 20); en 2026 el 23/3 (puente), el 9/7
(Independencia) y el 10/7 (puente).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from fabrica import (
    ANA,
    BRUNO,
    COLEGIO,
    ESCUELA,
    GRUPO,
    JUAN,
    LUCAS,
    MATEO,
    OTRO_GRUPO,
    PEDRO,
    SOFIA,
    VALENTINA,
    escribir_csv,
)

AJUSTES = """\
calendario:
  ciclo_lectivo: {inicio: "03-02", fin: "12-18"}
  receso_invernal: {2026: {desde: 2026-07-20, hasta: 2026-07-31}}
  no_laborables:
    - {fecha: 2026-09-11, motivo: Día del Maestro}
  instituciones:
    "Colegio San Martín":
      ciclo_lectivo: {2026: {inicio: 2026-03-09, fin: 2026-12-04}}
"""


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


@pytest.fixture(autouse=True)
def ajustes(tmp_path):
    """El archivo de ajustes de la persona que corre amauta (``~/.config/amauta/ajustes.yaml``)."""
    ruta = tmp_path / "xdg-config" / "amauta" / "ajustes.yaml"
    ruta.parent.mkdir(parents=True, exist_ok=True)
    ruta.write_text(AJUSTES, encoding="utf-8")
    return ruta


def registrar(cli, *args, grupo=GRUPO):
    return cli("asistencia", "registrar", "--grupo", grupo, *args)


# --- calendario ver ------------------------------------------------------------------------------
@pytest.mark.rapida
def test_calendario_de_julio_de_2026_en_cada_formato(cli):
    r = cli("calendario", "ver", "--mes", "2026-07")
    assert r.codigo == 0, r.texto
    assert "Calendario escolar de julio de 2026" in r.stdout
    assert "Ciclo lectivo 2026: del 02/03/2026 al 18/12/2026" in r.stdout
    assert "Receso invernal: del 20/07/2026 al 31/07/2026" in r.stdout
    semana = next(l for l in r.stdout.splitlines() if l.lstrip().startswith("6 "))
    assert " 9 F" in semana and "10 F" in semana  # la grilla: feriado y puente
    assert "20 R" in r.stdout and "F feriado · R receso invernal" in r.stdout
    assert "11 días de clase en julio de 2026" in r.stdout
    assert "feriado: Día de la Independencia" in r.stdout
    assert "feriado con fines turísticos (feriado puente)" in r.stdout

    d = json.loads(cli("calendario", "ver", "--mes", "7", "--anio", "2026", "-f", "json").stdout)
    assert (d["desde"], d["hasta"], d["dias_de_clase"]) == ("2026-07-01", "2026-07-31", 11)
    por = {x["fecha"]: x for x in d["dias"]}
    assert len(por) == 31
    assert por["2026-07-09"] == {"fecha": "2026-07-09", "dia": "jueves", "de_clase": False, "tipo": "feriado",
                                 "motivo": "feriado: Día de la Independencia"}
    assert por["2026-07-21"]["tipo"] == "receso" and por["2026-07-08"]["de_clase"] is True
    assert por["2026-07-11"]["tipo"] == "fin_de_semana"

    filas = list(csv.DictReader(io.StringIO(cli("calendario", "ver", "--mes", "2026-07", "-f", "csv").stdout)))
    assert len(filas) == 31 and sum(f["de_clase"] == "sí" for f in filas) == 11
    r = cli("calendario", "ver", "--mes", "julio", "--anio", "2026", "-f", "excel")
    assert r.stdout.replace("\r\n", "\n").startswith("\ufeffFecha;Día;De clase;Tipo;Motivo\n01/07/2026;miércoles;sí;clase;\n")


def test_calendario_del_anio_y_de_una_institucion(cli):
    r = cli("calendario", "ver", "--anio", "2026")
    assert r.codigo == 0, r.texto
    assert "Calendario escolar de 2026" in r.stdout and "septiembre" in r.stdout
    assert "Día del Maestro" in r.stdout  # el asueto de los ajustes
    r = cli("calendario", "ver", "--mes", "2026-03", "--institucion", "colegio san martin", "-f", "json")
    d = json.loads(r.stdout)
    assert d["institucion"] == COLEGIO
    por = {x["fecha"]: x for x in d["dias"]}
    assert por["2026-03-05"]["tipo"] == "fuera_del_ciclo" and por["2026-03-09"]["de_clase"] is True
    escuela = {x["fecha"]: x for x in json.loads(cli("calendario", "ver", "--mes", "2026-03", "-i", ESCUELA, "-f", "json").stdout)["dias"]}
    assert escuela["2026-03-05"]["de_clase"] is True
    assert escuela["2026-03-23"]["tipo"] == "feriado"  # puente turístico de 2026


@pytest.mark.parametrize(
    "contenido, mensaje",
    [
        ("calendario:\n  receso: {desde: '07-20', hasta: '07-31'}\n", "calendario.receso no es un ajuste conocido"),
        ("calendario:\n  jurisdiccion: Atlántida\n", "'Atlántida' no es una jurisdicción de la Argentina"),
        ("calendario:\n  no_laborables:\n    - {fecha: 2026-09-31, motivo: x}\n", "tiene una fecha que no existe"),
        ("calendario:\n  no_laborables:\n    - {fecha: 2026-09-11}\n", "falta el motivo"),
        ("calendario:\n  ciclo_lectivo: {2026: {inicio: 2026-12-01, fin: 2026-03-01}}\n", "es anterior a inicio"),
        ("calendario:\n  periodos: bimestres\n", "'bimestres' no es un esquema de períodos"),
    ],
)
def test_ajustes_del_calendario_invalidos_se_explican(cli, ajustes, contenido, mensaje):
    ajustes.write_text(contenido, encoding="utf-8")
    r = cli("calendario", "ver", "--mes", "2026-07")
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr and "Traceback" not in r.texto


def test_calendario_ver_uso(cli):
    r = cli("calendario", "ver", "--mes", "2026-13")
    assert r.codigo == 2 and "--mes" in r.texto


# --- Feriados y ciclo lectivo en registrar e importar ----------------------------------------------
@pytest.mark.parametrize(
    "fecha, motivo",
    [
        ("2025-11-24", "24/11/2025 es feriado: Día de la Soberanía Nacional"),  # trasladable
        ("2025-05-02", "2/5/2025 es feriado con fines turísticos (feriado puente)"),  # puente
        ("2026-07-09", "9/7/2026 es feriado: Día de la Independencia"),
        ("2026-07-10", "10/7/2026 es feriado con fines turísticos (feriado puente)"),
        ("2026-07-21", "21/7/2026 es receso invernal (del 20/7/2026 al 31/7/2026)"),
        ("2026-09-11", "11/9/2026 no es día de clase: Día del Maestro"),
        ("2025-12-19", "19/12/2025 está fuera del ciclo lectivo"),
    ],
)
def test_registrar_rechaza_un_dia_sin_clase_y_lo_nombra(bd, cli, fecha, motivo):
    antes = bd.instantanea()
    r = registrar(cli, "--fecha", fecha, "--todos", "P")
    assert r.codigo == 1, r.texto
    assert motivo in r.stderr and "--forzar" in r.stderr
    assert bd.instantanea() == antes


def test_el_ciclo_lectivo_es_de_cada_institucion(bd, cli):
    antes = bd.instantanea()
    r = registrar(cli, "--fecha", "2026-03-05", "--todos", "P", grupo="Matemática I")
    assert r.codigo == 1 and "5/3/2026 está fuera del ciclo lectivo (el de 2026 va del 9/3/2026 al 4/12/2026)" in r.stderr
    assert bd.instantanea() == antes
    assert registrar(cli, "--fecha", "2026-03-05", "--todos", "P").codigo == 0  # la escuela ya empezó


def test_forzar_registra_un_feriado_que_no_cuenta_en_los_porcentajes(bd, cli):
    r = registrar(cli, "--fecha", "2026-07-09", "--todos", "A", "--forzar")
    assert r.codigo == 0, r.texto
    assert "9/7/2026 es feriado: Día de la Independencia: se registró igual (--forzar)" in r.stderr
    assert bd.contar("Asistencia") == 4
    assert registrar(cli, "--fecha", "2026-07-08", "--todos", "P").codigo == 0
    rep = json.loads(cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2026-07", "-f", "json").stdout)
    lucas = next(f for f in rep["estudiantes"] if f["email"] == LUCAS)
    # Solo el 8 de julio cuenta: 1 día, presente; el AUSENTE del feriado no suma inasistencias.
    assert (lucas["registrados"], lucas["ausentes"], lucas["inasistencias"], lucas["porcentaje"]) == (1, 0, 0, 100.0)
    assert rep["registros_sin_clase"] == 4
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2026-07")
    assert "4 registros del período son de días sin clase (feriados, receso...) y no se cuentan" in r.stderr
    alertas = json.loads(cli("asistencia", "alertas", "--desde", "2026-07-01", "--limite", "1", "--porcentaje", "100", "-f", "json").stdout)
    assert alertas == []


def test_importar_rechaza_feriados_con_su_linea_y_acepta_forzar(bd, cli, tmp_path):
    texto = (
        "grupo,email,fecha,estado\n"
        f"{GRUPO},{LUCAS},2026-07-08,P\n"  # 2 buena
        f"{GRUPO},{LUCAS},2026-07-09,P\n"  # 3 feriado
        f"{GRUPO},{MATEO},2025-11-24,A\n"  # 4 feriado trasladable
        f"{GRUPO},{SOFIA},2025-05-02,P\n"  # 5 puente
        f"{GRUPO},{SOFIA},2026-07-11,P\n"  # 6 sábado
        f"Matemática I,{BRUNO},2026-03-05,P\n"  # 7 fuera del ciclo del colegio
        f"{GRUPO},{VALENTINA},2026-03-05,P\n"  # 8 buena (la escuela ya empezó)
    )
    antes = bd.instantanea()
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "a.csv", texto))
    assert r.codigo == 1, r.texto
    esperados = [
        "línea 3: 9/7/2026 es feriado: Día de la Independencia (si ese día hubo clase, importe con --forzar)",
        "línea 4: 24/11/2025 es feriado: Día de la Soberanía Nacional",
        "línea 5: 2/5/2025 es feriado con fines turísticos",
        "línea 6: 11/7/2026 es sábado",
        "línea 7: 5/3/2026 está fuera del ciclo lectivo",
    ]
    for e in esperados:
        assert e in r.stderr, e
    assert "línea 2:" not in r.stderr and "línea 8:" not in r.stderr
    assert "El archivo tiene 5 líneas con problemas" in r.stderr
    assert bd.instantanea() == antes
    r = cli("asistencia", "importar", escribir_csv(tmp_path / "a.csv", texto), "--forzar")
    assert r.codigo == 0, r.texto
    assert bd.contar("Asistencia") == 7


# --- Días a medio tomar y pendientes ------------------------------------------------------------------
def test_dia_a_medio_tomar_avisa_y_queda_pendiente(bd, cli, tmp_path):
    dia = "2026-07-08"
    r = cli("asistencia", "pendientes", "--fecha", dia, "-i", ESCUELA, "-f", "json")
    assert r.codigo == 3
    assert {(f["grupo"], f["situacion"], f["sin_estado"]) for f in json.loads(r.stdout)} == {
        (GRUPO, "sin registro", 4), (OTRO_GRUPO, "sin registro", 2)
    }
    archivo = escribir_csv(tmp_path / "hoy.csv", f"email,estado\n{LUCAS},P\n{VALENTINA},A\n")
    r = registrar(cli, "--fecha", dia, "--archivo", archivo)
    assert r.codigo == 0, r.texto
    aviso = r.stderr
    assert "el día quedó a medio tomar: 2 estudiantes de '4to Grado A' quedaron sin estado el 08/07/2026" in aviso
    assert f"García, Mateo ({MATEO}) y Pérez, Sofía ({SOFIA})" in aviso
    assert PEDRO not in aviso  # inactivo: no se le toma asistencia
    assert "amauta asistencia registrar --grupo '4to Grado A' --fecha 2026-07-08 --presente" in aviso

    r = cli("asistencia", "pendientes", "--fecha", dia, "-i", ESCUELA, "-f", "json")
    assert r.codigo == 3
    filas = {f["grupo"]: f for f in json.loads(r.stdout)}
    assert (filas[GRUPO]["situacion"], filas[GRUPO]["sin_estado"], filas[GRUPO]["estudiantes"]) == ("incompleto", 2, 4)
    r = cli("asistencia", "pendientes", "--fecha", dia, "-i", ESCUELA)
    assert r.codigo == 3 and "incompleto" in r.stdout and "sin registro" in r.stdout

    # Completar el día: sale de pendientes.
    assert registrar(cli, "--fecha", dia, "--presente", MATEO, "--tardanza", SOFIA).codigo == 0
    assert registrar(cli, "--fecha", dia, "--todos", "P", grupo=OTRO_GRUPO).codigo == 0
    r = cli("asistencia", "pendientes", "--fecha", dia, "-i", ESCUELA)
    assert r.codigo == 0, r.texto
    assert "Todos los grupos activos tomaron asistencia completa el miércoles 08/07/2026." in r.stderr


@pytest.mark.rapida
def test_pendientes_de_un_rango_nunca_lista_dias_sin_clase(bd, cli):
    for dia in ("2026-07-06", "2026-07-07"):
        assert registrar(cli, "--fecha", dia, "--todos", "P").codigo == 0
    r = cli("asistencia", "pendientes", "--desde", "2026-07-06", "--hasta", "2026-07-12", "-i", ESCUELA, "-f", "json")
    assert r.codigo == 3
    filas = json.loads(r.stdout)
    # 4to A: solo el 8 (el 9 y el 10 son feriados, 11 y 12 fin de semana); 5to B: 6, 7 y 8.
    assert [(f["fecha"], f["grupo"]) for f in filas] == [
        ("2026-07-06", OTRO_GRUPO), ("2026-07-07", OTRO_GRUPO), ("2026-07-08", GRUPO), ("2026-07-08", OTRO_GRUPO),
    ]
    # Un feriado nunca está pendiente (2025 y 2026, trasladable y puente incluidos).
    for feriado in ("2025-11-24", "2025-05-02", "2026-07-09", "2026-07-10"):
        r = cli("asistencia", "pendientes", "--fecha", feriado, "-f", "json")
        assert r.codigo == 0 and json.loads(r.stdout) == [], feriado
    r = cli("asistencia", "pendientes", "--fecha", "2026-07-09")
    assert "9/7/2026 es feriado: Día de la Independencia: no es día de clase" in r.stderr
    r = cli("asistencia", "pendientes", "--fecha", "2026-07-06", "--desde", "2026-07-01")
    assert r.codigo == 2 and "no ambos" in r.texto


# --- Una escuela con jornada recuperatoria -------------------------------------------------------
def test_dias_de_clase_extra_de_los_ajustes(bd, cli, ajustes):
    ajustes.write_text(AJUSTES + "  dias_de_clase:\n    - {fecha: 2026-07-11, motivo: Jornada recuperatoria}\n", encoding="utf-8")
    r = registrar(cli, "--fecha", "2026-07-11", "--todos", "P")
    assert r.codigo == 0, r.texto
    assert "se registró igual" not in r.stderr
    d = {x["fecha"]: x for x in json.loads(cli("calendario", "ver", "--mes", "2026-07", "-f", "json").stdout)["dias"]}
    assert d["2026-07-11"] == {"fecha": "2026-07-11", "dia": "sábado", "de_clase": True, "tipo": "clase_extra",
                               "motivo": "Jornada recuperatoria"}


# --- El servicio: fechas, sin base ---------------------------------------------------------------------
def test_feriados_se_guardan_en_cache_por_version_del_paquete(monkeypatch):
    import os
    import stat

    from amauta_cli.services import calendario as c

    monkeypatch.setattr(c, "_FERIADOS", {})
    assert c.feriados(2026)[date(2026, 7, 9)] == "Día de la Independencia"
    ruta = c._ruta_cache(2026, None)
    assert ruta.is_file() and stat.S_IMODE(os.stat(ruta).st_mode) == 0o600
    datos = json.loads(ruta.read_text(encoding="utf-8"))
    datos["feriados"]["2026-07-09"] = "Leído de la caché"
    ruta.write_text(json.dumps(datos), encoding="utf-8")
    monkeypatch.setattr(c, "_FERIADOS", {})
    assert c.feriados(2026)[date(2026, 7, 9)] == "Leído de la caché"
    datos["holidays"] = "0.0"  # otra versión del paquete: se vuelve a calcular
    ruta.write_text(json.dumps(datos), encoding="utf-8")
    monkeypatch.setattr(c, "_FERIADOS", {})
    assert c.feriados(2026)[date(2026, 7, 9)] == "Día de la Independencia"
    ruta.write_text("basura", encoding="utf-8")  # dañada: se recalcula
    monkeypatch.setattr(c, "_FERIADOS", {})
    assert c.feriados(2026)[date(2026, 7, 9)] == "Día de la Independencia"



def test_feriados_de_2025_y_2026():
    from amauta_cli.services.calendario import ajustes_de, calendario

    cal = calendario(ajustes_de(None))
    assert cal.dia(date(2025, 11, 24)).motivo == "Día de la Soberanía Nacional"  # del jueves 20 al lunes 24
    assert cal.dia(date(2025, 11, 20)).de_clase
    assert cal.dia(date(2025, 6, 16)).motivo.startswith("Paso a la Inmortalidad del General Don Martín Miguel de Güemes")
    assert cal.dia(date(2026, 7, 10)).explicacion == "10/7/2026 es feriado con fines turísticos (feriado puente)"
    assert not cal.es_de_clase(date(2026, 2, 16))  # carnaval (y fuera del ciclo)
    # Un año entero: 195 días de clase del 1/3 al 20/12 de 2026 con el calendario por defecto.
    assert len(cal.dias_de_clase(date(2026, 1, 1), date(2026, 12, 31))) == 195


def test_las_jurisdicciones_son_las_subdivisiones_de_holidays():
    """La tabla fija (para no importar holidays al validar los ajustes) no se desvía del paquete."""
    import holidays

    from amauta_cli.services.calendario import JURISDICCIONES

    alias = holidays.country_holidays("AR").__class__.subdivisions_aliases
    assert {codigo: nombre for nombre, codigo in alias.items()} == JURISDICCIONES


def test_jurisdiccion_agrega_los_feriados_provinciales():
    from amauta_cli.services.calendario import ajustes_de, calendario

    nacional = calendario(ajustes_de(None))
    sanjuan = calendario(ajustes_de({"jurisdiccion": "San Juan"}))
    assert nacional.es_de_clase(date(2026, 9, 11))
    assert sanjuan.dia(date(2026, 9, 11)).motivo == "Día del Maestro"


@pytest.mark.parametrize(
    "texto",
    ["1er trimestre", "1° Trimestre", "1º trimestre", "Primer trimestre", "1T", "T1", "1er. Trimestre", "I Trimestre", "1"],
)
def test_nombres_del_primer_trimestre(texto):
    from amauta_cli.services.calendario import ajustes_de, calendario

    assert calendario(ajustes_de(None)).periodo_canonico(texto) == "1er Trimestre"


def test_periodos_de_cuatrimestres_y_propios():
    from amauta_cli.services.calendario import ajustes_de, calendario

    cuatri = calendario(ajustes_de({"periodos": "cuatrimestres", "ciclo_lectivo": {"inicio": "03-02", "fin": "12-18"}}))
    assert [(p.nombre, p.desde, p.hasta) for p in cuatri.periodos(2026)] == [
        ("1er Cuatrimestre", date(2026, 3, 2), date(2026, 7, 31)),
        ("2do Cuatrimestre", date(2026, 8, 1), date(2026, 12, 18)),
    ]
    assert cuatri.periodo_canonico("2C") == "2do Cuatrimestre" and cuatri.periodo_canonico("1T") is None
    propios = calendario(ajustes_de({"periodos": [
        {"nombre": "Primera etapa", "hasta": "06-30", "alias": ["E1"]},
        {"nombre": "Segunda etapa", "desde": "07-01"},
    ]}))
    assert propios.periodo_canonico("e1") == "Primera etapa"
    assert propios.periodo_canonico("SEGUNDA ETAPA") == "Segunda etapa"
    assert [p.orden for p in propios.periodos(2026)] == [1, 2]
