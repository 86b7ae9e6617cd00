"""``amauta db archivar`` / ``db desarchivar`` y ``--incluir-archivo`` en reportes y boletines."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from conftest import invocar

GRUPO = "4to Grado A"
LUCAS = "lucas.fernandez@mail.com"


def _archivo(bd, tabla: str) -> str:
    return f'archivo."{tabla}"' if bd.motor == "postgresql" else f'"_amauta_archivo_{tabla}"'


def _vivas_y_archivo(bd) -> dict[str, tuple[int, int]]:
    return {
        t: (bd.contar(t), int(bd.valor(f"SELECT count(*) FROM {_archivo(bd, t)}")))
        for t in ("Asistencia", "Calificacion", "Progreso")
    }


def _filas(bd, sql_tabla: str) -> list[tuple]:
    return sorted(tuple(map(repr, f)) for f in bd.filas(f"SELECT * FROM {sql_tabla}"))


@pytest.fixture
def maniana() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


def test_las_tablas_de_archivo_tienen_las_mismas_columnas(bd):
    """Una migración futura que cambie Asistencia, Calificacion o Progreso debe cambiar el archivo."""
    from sqlalchemy import inspect

    with bd.engine().connect() as con:
        insp = inspect(con)
        for t in ("Asistencia", "Calificacion", "Progreso"):
            vivas = [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)]
            if bd.motor == "postgresql":
                arch = insp.get_columns(t, schema="archivo")
            else:
                arch = insp.get_columns(f"_amauta_archivo_{t}")
            assert [(c["name"], str(c["type"]), c["nullable"]) for c in arch] == vivas
            assert not (insp.get_foreign_keys(t, schema="archivo") if bd.motor == "postgresql"
                        else insp.get_foreign_keys(f"_amauta_archivo_{t}"))


def test_el_archivo_es_invisible_para_prisma_y_para_db_verificar(bd, cli):
    r = cli("db", "verificar")
    assert r.codigo == 0, r.texto
    if bd.motor == "postgresql":
        publicas = {t for (t,) in bd.filas("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert not any(t.startswith("archivo") for t in publicas)


def test_archivar_y_desarchivar_ida_y_vuelta_sin_perder_nada(bd_seed, cli_seed):
    bd = bd_seed
    antes = {t: _filas(bd, f'"{t}"') for t in ("Asistencia", "Calificacion", "Progreso")}
    hoy = date.today().isoformat()

    r = cli_seed("db", "archivar", "--hasta", hoy, "--simular", "--formato", "json")
    assert r.codigo == 0, r.texto
    plan = {m["tabla"]: m["filas"] for m in json.loads(r.stdout)}
    assert _vivas_y_archivo(bd)["Asistencia"][1] == 0  # --simular no movió nada

    r = cli_seed("db", "archivar", "--hasta", hoy, "--si", "--formato", "json")
    assert r.codigo == 0, r.texto
    movidas = {m["tabla"]: m for m in json.loads(r.stdout)}
    for t, m in movidas.items():
        assert m["filas"] == plan[t]
        assert m["vivas_antes"] + m["archivo_antes"] == m["vivas_despues"] + m["archivo_despues"]
    cuentas = _vivas_y_archivo(bd)
    # El seed: 10 asistencias en los últimos 5 días hábiles (las de hoy, si hoy es hábil, quedan).
    assert cuentas["Asistencia"][1] == plan["Asistencia"] > 0
    assert cuentas["Calificacion"] == (0, 4)
    # Progreso: solo el de inscripciones cerradas (Lucas completó Álgebra Básica: 4 lecciones).
    assert cuentas["Progreso"] == (5, 4)
    assert "filas archivadas" in r.stderr

    r = cli_seed("db", "desarchivar", "--si")
    assert r.codigo == 0, r.texto
    assert {t: _filas(bd, f'"{t}"') for t in antes} == antes  # ids y fechas intactos
    assert all(a == 0 for _, a in _vivas_y_archivo(bd).values())


def test_desarchivar_un_rango(bd_seed, cli_seed):
    bd = bd_seed
    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0
    fechas = sorted({str(f)[:10] for (f,) in bd.filas(f"SELECT fecha FROM {_archivo(bd, 'Asistencia')}")})
    r = cli_seed("db", "desarchivar", "--desde", fechas[-1], "--si")
    assert r.codigo == 0, r.texto
    vueltas = {str(f)[:10] for (f,) in bd.filas('SELECT fecha FROM "Asistencia"')}
    assert fechas[-1] in vueltas and fechas[0] not in vueltas


def test_fecha_futura_o_invalida_no_cambia_nada(bd_seed, cli_seed, maniana):
    antes = bd_seed.instantanea()
    r = cli_seed("db", "archivar", "--hasta", maniana, "--si")
    assert r.codigo == 1 and "posterior a hoy" in r.stderr
    r = cli_seed("db", "archivar", "--hasta", "31/02/2024", "--si")
    assert r.codigo != 0 and "Traceback" not in r.texto
    r = cli_seed("db", "archivar", "--si")
    assert r.codigo == 2  # falta --hasta
    r = cli_seed("db", "desarchivar", "--desde", "2024-05-01", "--hasta", "2024-04-01", "--si")
    assert r.codigo == 1
    assert bd_seed.instantanea() == antes


def test_sin_confirmar_no_se_archiva(bd_seed, cli_seed):
    antes = bd_seed.instantanea()
    r = cli_seed("db", "archivar", "--hasta", date.today().isoformat(), input="n\n")
    assert r.codigo == 1 and "no se confirmó" in r.stderr
    assert bd_seed.instantanea() == antes


def test_desarchivar_con_choque_no_trae_nada_de_esa_tabla(bd_seed, cli_seed):
    bd = bd_seed
    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0
    # Alguien vuelve a cargar una nota archivada (misma clave) en la tabla viva.
    arch = _archivo(bd, "Calificacion")
    bd.ejecutar(
        f'INSERT INTO "Calificacion" SELECT \'otro-id\', "grupoId", "estudianteId", materia, periodo, '
        f'nota, "notaMaxima", observaciones, "createdAt", "updatedAt" FROM {arch} '
        f"ORDER BY id LIMIT 1"
    )
    antes = _filas(bd, arch)
    r = cli_seed("db", "desarchivar", "--si")
    assert r.codigo == 1, r.texto
    assert "Calificacion" in r.stderr and "misma clave" in r.stderr
    assert _filas(bd, arch) == antes  # nada de esa tabla se movió
    assert "Traceback" not in r.texto


def test_reportes_avisan_del_archivo_y_lo_incluyen_a_pedido(bd_seed, cli_seed):
    bd = bd_seed
    desde = (date.today() - timedelta(days=14)).isoformat()
    completo = json.loads(cli_seed("asistencia", "reporte", "-g", GRUPO, "--desde", desde, "-f", "json").stdout)
    notas = json.loads(cli_seed("calificaciones", "boletin", "-e", LUCAS, "-f", "json").stdout)
    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0

    r = cli_seed("asistencia", "reporte", "-g", GRUPO, "--desde", desde, "-f", "json")
    assert r.codigo == 0
    assert "en el archivo" in r.stderr and "--incluir-archivo" in r.stderr
    assert json.loads(r.stdout)["totales"]["registrados"] < completo["totales"]["registrados"]
    r = cli_seed("asistencia", "reporte", "-g", GRUPO, "--desde", desde, "-f", "json", "--incluir-archivo")
    assert json.loads(r.stdout)["totales"] == completo["totales"] and "archivo" not in r.stderr

    r = cli_seed("asistencia", "alertas", "--desde", desde, "--limite", "1")
    assert "en el archivo" in r.stderr
    r = cli_seed("asistencia", "alertas", "--desde", desde, "--limite", "1", "--incluir-archivo", "-f", "json")
    assert r.codigo == 0 and "valentina.ruiz@mail.com" in r.stdout

    r = cli_seed("calificaciones", "boletin", "-e", LUCAS, "-f", "json")
    assert "4 notas" not in r.stderr and "2 notas en el archivo" in r.stderr
    # La asistencia por períodos del boletín tampoco cuenta lo archivado, y lo dice.
    assert "registros de asistencia en el archivo" in r.stderr
    assert json.loads(r.stdout)["asistencia_anual"] != notas["asistencia_anual"]
    r = cli_seed("calificaciones", "boletin", "-e", LUCAS, "-f", "json", "--incluir-archivo")
    assert json.loads(r.stdout) == notas
    r = cli_seed("calificaciones", "reporte", "-g", GRUPO, "--incluir-archivo")
    assert r.codigo == 0 and "8,75" in r.stdout
    r = cli_seed("calificaciones", "reporte", "-g", GRUPO)
    assert "4 notas en el archivo" in r.stderr


def test_el_respaldo_incluye_el_archivo(bd_seed, cli_seed, tmp_path):
    bd = bd_seed
    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0
    archivadas = _filas(bd, _archivo(bd, "Asistencia"))
    assert archivadas
    r = cli_seed("db", "backup", "--salida", str(tmp_path / "r") + "/")
    assert r.codigo == 0, r.texto
    respaldo = next(p for p in (tmp_path / "r").iterdir() if not p.name.endswith(".json"))
    assert cli_seed("db", "desarchivar", "--si").codigo == 0
    # El camino general de la restauración (la base tiene una marca de entorno que conservar).
    assert cli_seed("db", "entorno", "desarrollo").codigo == 0
    r = cli_seed("db", "restore", str(respaldo), "--limpiar", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert _filas(bd, _archivo(bd, "Asistencia")) == archivadas


def test_seed_reset_borra_tambien_el_archivo(bd_seed, cli_seed):
    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0
    r = cli_seed("seed", "--reset", "--si")
    assert r.codigo == 0, r.texto
    assert all(a == 0 for _, a in _vivas_y_archivo(bd_seed).values())


def test_rollback_de_0006_y_vuelta(bd, cli):
    r = cli("db", "rollback", "--revision", "0003", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    from sqlalchemy import inspect

    with bd.engine().connect() as con:
        nombres = set(inspect(con).get_table_names())
        if bd.motor == "postgresql":
            assert "archivo" not in inspect(con).get_schema_names()
    assert not any(n.startswith("_amauta_archivo_") for n in nombres)
    assert cli("db", "migrate").codigo == 0
    assert cli("db", "verificar").codigo == 0


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_archivar_libera_el_espacio_de_las_filas_movidas(bd_seed, cli_seed):
    """En PostgreSQL, VACUUM de la tabla viva después de confirmar: los reportes del año en curso
    no vuelven a recorrer las filas archivadas (benchmarks/archivo.py). SQLite no recorre las
    páginas libres: no hace falta."""
    import time

    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0
    sql = (
        "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
        "WHERE schemaname = 'public' AND relname = 'Asistencia'"
    )
    for _ in range(50):
        if bd_seed.valor(sql):
            break
        time.sleep(0.1)
    assert bd_seed.valor(sql)
