"""``amauta asistencia reporte`` y ``alertas``: números calculados a mano y la regla configurable."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from fabrica import (
    ANA,
    COLEGIO,
    ESCUELA,
    GRUPO,
    LUCAS,
    MATEO,
    OTRO_GRUPO,
    PEDRO,
    SOFIA,
    VALENTINA,
)


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


#: El ciclo lectivo 2024 de la escuela empezó el lunes 26 de febrero (como en la Ciudad).
CALENDARIO = "calendario:\n  ciclo_lectivo: {inicio: \"03-01\", fin: \"12-20\", 2024: {inicio: 2024-02-26, fin: 2024-12-20}}\n"


@pytest.fixture(autouse=True)
def _calendario(tmp_path):
    ajustes = tmp_path / "xdg-config" / "amauta" / "ajustes.yaml"
    ajustes.parent.mkdir(parents=True, exist_ok=True)
    ajustes.write_text(CALENDARIO, encoding="utf-8")


def dias_habiles(desde: date, n: int) -> list[date]:
    """Los ``n`` días de clase desde ``desde`` (sin fines de semana ni feriados: el 28 y 29 de
    marzo de 2024 fueron Jueves y Viernes Santo, el 1 de abril puente y el 2 Malvinas)."""
    from amauta_cli.services.calendario import ajustes_de, calendario

    import yaml

    cal = calendario(ajustes_de(yaml.safe_load(CALENDARIO)["calendario"]))
    dias, d = [], desde
    while len(dias) < n:
        if cal.es_de_clase(d):
            dias.append(d)
        d += timedelta(days=1)
    return dias


def cargar(url: str, grupo: str, plan: dict[str, list[str]], desde: date = date(2024, 3, 4)) -> list[date]:
    """Registra con el servicio un día por posición de ``plan`` (email → estados por día)."""
    from amauta_cli.db import transaccion
    from amauta_cli.services.asistencia import Marca, registrar

    n = max(len(v) for v in plan.values())
    dias = dias_habiles(desde, n)
    for i, dia in enumerate(dias):
        marcas = [Marca(email, estados[i]) for email, estados in plan.items() if i < len(estados)]
        with transaccion(url) as s:
            registrar(s, grupo, dia, marcas)
    return dias


# Marzo de 2024, 10 días hábiles (4 al 15). Calculado a mano con la regla por defecto:
#   Lucas      10 P                     → 0 inasistencias, 100 %
#   Valentina   6 P, 2 T, 1 A, 1 J      → 1 + 2×½ + 1 = 3 (1 justificada), (6+2)/10 = 80 %
#   Mateo       5 P, 5 A                → 5, 50 %
#   Sofía       7 P, 3 T                → 1,5, 100 % (la tardanza es un día presente)
#   Pedro       (inactivo, sin registros) → 0 días, sin porcentaje
#   Total      40 días: 28 P, 5 T, 6 A, 1 J → 9,5 inasistencias, (28+5)/40 = 82,5 %
PLAN_MARZO = {
    LUCAS: ["PRESENTE"] * 10,
    VALENTINA: ["PRESENTE", "TARDANZA", "PRESENTE", "AUSENTE", "PRESENTE", "JUSTIFICADO", "PRESENTE", "TARDANZA", "PRESENTE", "PRESENTE"],
    MATEO: ["PRESENTE", "AUSENTE"] * 5,
    SOFIA: ["TARDANZA", "PRESENTE", "PRESENTE"] * 3 + ["PRESENTE"],
}


@pytest.fixture
def marzo(bd):
    cargar(bd.url, GRUPO, PLAN_MARZO)
    # Un registro de febrero que --mes 2024-03 no debe contar.
    cargar(bd.url, GRUPO, {LUCAS: ["AUSENTE"]}, desde=date(2024, 2, 29))
    return bd


def test_reporte_del_mes_calculado_a_mano(marzo, cli):
    r = cli("asistencia", "reporte", "--grupo", GRUPO, "--mes", "2024-03", "--formato", "json")
    assert r.codigo == 0, r.texto
    rep = json.loads(r.stdout)
    assert (rep["grupo"], rep["desde"], rep["hasta"]) == (GRUPO, "2024-03-01", "2024-03-31")
    por = {f["email"]: f for f in rep["estudiantes"]}
    clave = ("registrados", "presentes", "tardanzas", "ausentes", "justificados", "inasistencias", "justificadas", "porcentaje")
    assert {e: tuple(f[k] for k in clave) for e, f in por.items()} == {
        LUCAS: (10, 10, 0, 0, 0, 0, 0, 100.0),
        VALENTINA: (10, 6, 2, 1, 1, 3, 1, 80.0),
        MATEO: (10, 5, 0, 5, 0, 5, 0, 50.0),
        SOFIA: (10, 7, 3, 0, 0, 1.5, 0, 100.0),
        PEDRO: (0, 0, 0, 0, 0, 0, 0, None),
    }
    t = rep["totales"]
    assert tuple(t[k] for k in clave) == (40, 28, 5, 6, 1, 9.5, 1, 82.5)
    assert t["estudiantes"] == 5
    assert rep["regla"]["peso_tardanza"] == 0.5 and rep["regla"]["limite_inasistencias"] == 15


def test_reporte_desde_hasta_incluye_febrero(marzo, cli):
    r = cli("asistencia", "reporte", "-g", GRUPO, "--desde", "01/02/2024", "--hasta", "2024-03-31", "-f", "json")
    por = {f["email"]: f for f in json.loads(r.stdout)["estudiantes"]}
    assert (por[LUCAS]["registrados"], por[LUCAS]["ausentes"], por[LUCAS]["porcentaje"]) == (11, 1, 90.9)


@pytest.mark.rapida
def test_reporte_en_csv_y_tabla(marzo, cli):
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "03/2024", "--formato", "csv")
    assert r.codigo == 0, r.texto
    filas = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(filas[0]) == [
        "email", "apellido", "nombre", "matricula", "registrados", "presentes", "tardanzas",
        "ausentes", "justificados", "inasistencias", "justificadas", "porcentaje",
    ]
    valentina = next(f for f in filas if f["email"] == VALENTINA)
    assert (valentina["inasistencias"], valentina["justificadas"], valentina["porcentaje"]) == ("3", "1", "80")
    total = filas[-1]
    assert (total["email"], total["registrados"], total["inasistencias"], total["porcentaje"]) == ("TOTAL", "40", "9.5", "82.5")
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2024-03")
    assert r.codigo == 0
    assert f"Asistencia de 4to Grado A ({ESCUELA}), del 01/03/2024 al 31/03/2024" in r.stdout
    assert "TOTAL" in r.stdout and "82,5" in r.stdout and "82.5" not in r.stdout
    assert "TARDANZA 0,5" in r.stdout


def test_reporte_html_imprimible_y_escapado(marzo, cli, tmp_path):
    marzo.ejecutar(
        """UPDATE "Usuario" SET nombre = :n WHERE email = :e""",
        n='Sofía <script>alert("x")</script> & Cía',
        e=SOFIA,
    )
    ruta = tmp_path / "marzo.html"
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2024-03", "--html", str(ruta))
    assert r.codigo == 0, r.texto
    assert f"Página imprimible escrita en {ruta}" in r.stderr
    pagina = ruta.read_text(encoding="utf-8")
    assert pagina.startswith("<!DOCTYPE html>") and "@media print" in pagina
    assert "<script>" not in pagina and "http" not in pagina  # autocontenida, sin scripts
    assert "Sofía &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cía" in pagina
    assert "<tfoot>" in pagina and ">82,5<" in pagina and ">9,5<" in pagina  # coma decimal
    assert ESCUELA in pagina and "Del 01/03/2024 al 31/03/2024" in pagina


def test_reporte_periodo_obligatorio_y_coherente(bd, cli):
    r = cli("asistencia", "reporte", "-g", GRUPO)
    assert r.codigo == 2 and "--mes AAAA-MM" in r.texto
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2024-03", "--desde", "2024-03-01")
    assert r.codigo == 2 and "no ambos" in r.texto
    r = cli("asistencia", "reporte", "-g", GRUPO, "--desde", "2024-03-10", "--hasta", "2024-03-01")
    assert r.codigo == 1 and "es anterior a --desde" in r.stderr
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2024-13")
    assert r.codigo == 1 and "--mes: '2024-13' no es un mes válido" in r.stderr


def test_la_regla_se_cambia_en_el_archivo_de_ajustes(marzo, cli, tmp_path, monkeypatch):
    ajustes = tmp_path / "ajustes.yaml"
    ajustes.write_text(
        "asistencia:\n  peso_tardanza: 0.25\n  tardanza_cuenta_como_presente: false\n", encoding="utf-8"
    )
    monkeypatch.setenv("AMAUTA_AJUSTES", str(ajustes))
    r = cli("asistencia", "reporte", "-g", GRUPO, "--mes", "2024-03", "-f", "json")
    assert r.codigo == 0, r.texto
    por = {f["email"]: f for f in json.loads(r.stdout)["estudiantes"]}
    # Valentina: 1 + 2×¼ + 1 = 2,5 y 6/10; Sofía: 3×¼ = 0,75 y 7/10.
    assert (por[VALENTINA]["inasistencias"], por[VALENTINA]["porcentaje"]) == (2.5, 60.0)
    assert (por[SOFIA]["inasistencias"], por[SOFIA]["porcentaje"]) == (0.75, 70.0)


@pytest.mark.parametrize(
    "contenido, mensaje",
    [
        ("asistencia:\n  peso_tardanzas: 1\n", "asistencia.peso_tardanzas no es un ajuste conocido"),
        ("asistencia:\n  limite_inasistencias: quince\n", "debe ser del mismo tipo"),
        ("asistencia:\n  peso_ausente: -1\n", "asistencia.peso_ausente debe estar entre 0 y 10"),
        ("asistencia:\n  inicio_ciclo_lectivo: marzo\n", "inicio_ciclo_lectivo debe ser MM-DD"),
        ("asistencia:\n  porcentaje_alerta: 0\n", "porcentaje_alerta debe estar entre 1 y 100"),
    ],
)
def test_ajustes_invalidos_se_explican(bd, cli, tmp_path, monkeypatch, contenido, mensaje):
    ajustes = tmp_path / "ajustes.yaml"
    ajustes.write_text(contenido, encoding="utf-8")
    monkeypatch.setenv("AMAUTA_AJUSTES", str(ajustes))
    r = cli("asistencia", "alertas")
    assert r.codigo == 1
    assert mensaje in r.stderr and "Traceback" not in r.texto


# --- alertas ----------------------------------------------------------------------------------------------
# 25 días hábiles desde el 4/3/2024. Umbral por defecto: 80 % de 15 = 12.
#   Lucas      16 A               → 16    superó el límite
#   Sofía      15 A               → 15    en el límite
#   Ana (5to B) 12 J              → 12    cerca (todas justificadas), 13/25 = 52 %
#   Mateo      11 A + 2 T         → 12    cerca, (12+2)/25 = 56 %   ← el borde: entra
#   Valentina  11 A + 1 T         → 11,5  no entra
def _plan(ausentes: int, tardanzas: int = 0, justificados: int = 0, n: int = 25) -> list[str]:
    estados = ["AUSENTE"] * ausentes + ["TARDANZA"] * tardanzas + ["JUSTIFICADO"] * justificados
    return estados + ["PRESENTE"] * (n - len(estados))


@pytest.fixture
def ciclo(bd):
    cargar(bd.url, GRUPO, {LUCAS: _plan(16), SOFIA: _plan(15), MATEO: _plan(11, 2), VALENTINA: _plan(11, 1)})
    cargar(bd.url, OTRO_GRUPO, {ANA: _plan(0, justificados=12)})
    return bd


def _alertas(cli, *args):
    r = cli("asistencia", "alertas", "--desde", "2024-03-01", "--formato", "json", *args)
    assert r.codigo == 0, r.texto
    return json.loads(r.stdout)


def test_alertas_el_borde_del_umbral_y_el_orden(ciclo, cli):
    filas = _alertas(cli)
    assert [(f["email"], f["inasistencias"], f["situacion"]) for f in filas] == [
        (LUCAS, 16, "superó el límite"),
        (SOFIA, 15, "en el límite"),
        (ANA, 12, "cerca del límite"),
        (MATEO, 12, "cerca del límite"),
    ]
    ana, mateo = filas[2], filas[3]
    assert (ana["justificadas"], ana["porcentaje"], ana["restantes"], ana["grupo"]) == (12, 52.0, 3, OTRO_GRUPO)
    assert (mateo["ausentes"], mateo["tardanzas"], mateo["porcentaje"], mateo["limite"]) == (11, 2, 56.0, 15)


def test_alertas_porcentaje_y_limite_como_opciones(ciclo, cli):
    # 76 % de 15 = 11,4: entra Valentina (11,5).
    assert VALENTINA in [f["email"] for f in _alertas(cli, "--porcentaje", "76")]
    # Límite 12 al 100 %: Mateo y Ana quedan "en el límite", Lucas y Sofía lo superan.
    filas = _alertas(cli, "--limite", "12", "--porcentaje", "100")
    assert [(f["email"], f["situacion"]) for f in filas] == [
        (LUCAS, "superó el límite"),
        (SOFIA, "superó el límite"),
        (ANA, "en el límite"),
        (MATEO, "en el límite"),
    ]
    r = cli("asistencia", "alertas", "--porcentaje", "0")
    assert r.codigo == 1 and "--porcentaje debe estar entre 1 y 100" in r.stderr


def test_alertas_por_grupo_institucion_y_grupo_inactivo(ciclo, cli):
    assert [f["email"] for f in _alertas(cli, "--grupo", OTRO_GRUPO)] == [ANA]
    assert _alertas(cli, "--institucion", COLEGIO) == []
    ciclo.ejecutar("""UPDATE "Grupo" SET activo = false WHERE nombre = :g""", g=OTRO_GRUPO)
    assert ANA not in [f["email"] for f in _alertas(cli)]
    ciclo.ejecutar("""UPDATE "Usuario" SET activo = false WHERE email = :e""", e=LUCAS)
    assert LUCAS not in [f["email"] for f in _alertas(cli)]


def test_alertas_tabla_y_desde_por_defecto(ciclo, cli):
    from amauta_cli.services.asistencia import Regla

    r = cli("asistencia", "alertas", "--desde", "2024-03-01")
    assert r.codigo == 0
    assert "Alertas de inasistencias desde el 01/03/2024 (umbral 12 de 15)" in r.stdout
    assert "superó el límite" in r.stdout
    # Sin --desde cuenta desde el inicio del ciclo lectivo actual: los datos de 2024 no entran.
    inicio = Regla().inicio_del_ciclo()
    r = cli("asistencia", "alertas")
    assert r.codigo == 0
    assert f"Nadie alcanza el umbral de alerta (12 inasistencias de 15) desde el {inicio:%d/%m/%Y}." in r.stderr


def test_alertas_csv(ciclo, cli):
    r = cli("asistencia", "alertas", "--desde", "2024-03-01", "-f", "csv")
    filas = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [f["email"] for f in filas] == [LUCAS, SOFIA, ANA, MATEO]
    assert filas[0]["situacion"] == "superó el límite" and filas[0]["restantes"] == "0"


def test_inicio_del_ciclo():
    from amauta_cli.services.asistencia import Regla

    r = Regla(inicio_ciclo="03-01")
    assert r.inicio_del_ciclo(date(2024, 6, 10)) == date(2024, 3, 1)
    assert r.inicio_del_ciclo(date(2024, 2, 10)) == date(2023, 3, 1)
    assert r.inicio_del_ciclo(date(2024, 3, 1)) == date(2024, 3, 1)
