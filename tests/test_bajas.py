"""Bajas (``activo = false``), una sola regla (issue 11, punto 14).

Un estudiante dado de baja no cuenta en ``asistencia pendientes``, no está "sin registrar" en
``asistencia ver``, no recibe notas (``calificaciones registrar/cargar`` lo rechazan con un
mensaje claro), no figura en ``desaprobados``, en los boletines de un grupo ni en los padrones
(``grupos ver``, ``calificaciones ver``). Aparece solo donde un informe habla del pasado, y
entonces lo dice. Un grupo cuyos estudiantes están todos dados de baja no está pendiente.
"""

from __future__ import annotations

import json

import pytest

from fabrica import BRUNO, GRUPO, LUCAS, PEDRO, VALENTINA, escribir_csv
from conftest import invocar

GRUPO_SEED = "4to Grado A"
LUCAS_SEED, VALENTINA_SEED = "lucas.fernandez@mail.com", "valentina.ruiz@mail.com"


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


def cli_de(bd):
    return lambda *a: invocar(bd.url, *a)


# --- Asistencia --------------------------------------------------------------------------------
def test_pendientes_no_cuenta_a_los_dados_de_baja(bd):
    cli = cli_de(bd)
    r = cli("asistencia", "pendientes", "--fecha", "2024-03-04", "-f", "json")
    filas = {f["grupo"]: f["estudiantes"] for f in json.loads(r.stdout)}
    assert filas[GRUPO] == 4  # Pedro, dado de baja, no cuenta
    # Matemática I tiene un solo estudiante: dado de baja, el grupo ya no está pendiente.
    assert cli("usuarios", "desactivar", BRUNO).codigo == 0
    r = cli("asistencia", "pendientes", "--fecha", "2024-03-04", "-f", "json")
    assert "Matemática I" not in {f["grupo"] for f in json.loads(r.stdout)}


def test_ver_no_muestra_sin_registrar_a_un_dado_de_baja_y_marca_su_registro_pasado(bd, tmp_path):
    cli = cli_de(bd)
    r = cli("asistencia", "ver", "-g", GRUPO, "--fecha", "2024-03-04", "-f", "json")
    assert PEDRO not in {f["email"] for f in json.loads(r.stdout)}
    # Un registro de cuando estaba: figura ese día, y se dice que está dado de baja.
    archivo = escribir_csv(tmp_path / "h.csv", f"grupo,email,fecha,estado\n{GRUPO},{PEDRO},2023-05-02,A\n")
    assert cli("asistencia", "importar", archivo).codigo == 0
    r = cli("asistencia", "ver", "-g", GRUPO, "--fecha", "2023-05-02")
    assert "Torres" in r.stdout and "Dados de baja, con registro ese día: Torres, Pedro" in r.stdout
    assert "4 sin registrar" in r.stdout


# --- Calificaciones ----------------------------------------------------------------------------------
@pytest.mark.rapida
def test_registrar_y_cargar_rechazan_a_un_dado_de_baja(cli_seed, bd_seed, tmp_path):
    assert cli_seed("usuarios", "desactivar", VALENTINA_SEED).codigo == 0
    antes = bd_seed.instantanea()
    r = cli_seed("calificaciones", "registrar", "-g", GRUPO_SEED, "-e", VALENTINA_SEED,
                 "--materia", "Historia", "--periodo", "1er Trimestre", "--nota", "8")
    assert r.codigo == 1
    assert f"{VALENTINA_SEED} (Valentina Ruiz) está inactivo: no se le registran notas" in r.stderr
    archivo = tmp_path / "notas.csv"
    archivo.write_text(f"email,nota\n{LUCAS_SEED},7\n{VALENTINA_SEED},8\n", encoding="utf-8")
    r = cli_seed("calificaciones", "cargar", str(archivo), "-g", GRUPO_SEED,
                 "--materia", "Historia", "--periodo", "1er Trimestre")
    assert r.codigo == 1
    assert f"línea 3: {VALENTINA_SEED} (Valentina Ruiz) está inactivo" in r.stderr
    assert bd_seed.instantanea() == antes


def _nota(cli, email, nota, materia="Historia"):
    r = cli("calificaciones", "registrar", "-g", GRUPO_SEED, "-e", email, "--materia", materia,
            "--periodo", "1er Trimestre", "--nota", nota)
    assert r.codigo == 0, r.texto


def test_desaprobados_y_boletines_del_grupo_dejan_afuera_a_los_dados_de_baja(cli_seed):
    _nota(cli_seed, VALENTINA_SEED, "2")
    _nota(cli_seed, LUCAS_SEED, "3")
    assert cli_seed("usuarios", "desactivar", VALENTINA_SEED).codigo == 0
    r = cli_seed("calificaciones", "desaprobados", "-f", "json")
    emails = {f["email"] for f in json.loads(r.stdout)}
    assert LUCAS_SEED in emails and VALENTINA_SEED not in emails
    r = cli_seed("calificaciones", "boletin", "--grupo", GRUPO_SEED, "-f", "json")
    assert r.codigo == 0, r.texto
    assert VALENTINA_SEED not in r.stdout and LUCAS_SEED in r.stdout
    # Pedido por su email, el boletín de quien se dio de baja sigue disponible (es del pasado).
    r = cli_seed("calificaciones", "boletin", "--estudiante", VALENTINA_SEED, "-f", "json")
    assert r.codigo == 0 and VALENTINA_SEED in r.stdout


def test_planilla_y_reporte_muestran_al_dado_de_baja_solo_con_sus_notas_y_lo_dicen(cli_seed):
    _nota(cli_seed, LUCAS_SEED, "8")
    assert cli_seed("usuarios", "desactivar", VALENTINA_SEED).codigo == 0
    r = cli_seed("calificaciones", "ver", "-g", GRUPO_SEED, "--materia", "Historia",
                 "--periodo", "1er Trimestre", "-f", "json")
    assert VALENTINA_SEED not in r.stdout  # sin nota y dada de baja: fuera de la lista
    assert cli_seed("usuarios", "activar", VALENTINA_SEED).codigo == 0
    _nota(cli_seed, VALENTINA_SEED, "9")
    assert cli_seed("usuarios", "desactivar", VALENTINA_SEED).codigo == 0
    r = cli_seed("calificaciones", "ver", "-g", GRUPO_SEED, "--materia", "Historia", "--periodo", "1er Trimestre")
    assert "Dados de baja (solo figuran por su nota ya cargada): Ruiz, Valentina." in r.stdout
    r = cli_seed("calificaciones", "reporte", "-g", GRUPO_SEED, "-f", "json")
    (historia,) = [m for m in json.loads(r.stdout)["materias"] if m["materia"] == "Historia"]
    assert {e["email"]: e["activo"] for e in historia["estudiantes"]} == {
        LUCAS_SEED: True,
        VALENTINA_SEED: False,
    }


# --- Padrones ---------------------------------------------------------------------------------------
def test_grupos_ver_lista_solo_a_los_activos(bd):
    cli = cli_de(bd)
    d = json.loads(cli("grupos", "ver", GRUPO, "-f", "json").stdout)
    assert PEDRO not in {e["email"] for e in d["estudiantes"]}
    assert d["estudiantes_inactivos"] == [PEDRO] and d["cantidad_estudiantes"] == 4
    r = cli("grupos", "ver", GRUPO)
    assert f"Dados de baja que siguen inscriptos (no se listan): {PEDRO}." in r.stderr
    assert LUCAS in r.stdout and VALENTINA in r.stdout
