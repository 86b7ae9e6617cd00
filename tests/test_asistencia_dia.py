"""El día de una asistencia es su fecha UTC, sea cual sea la hora: convivir con la aplicación web.

Un servidor Node en Argentina guarda ``new Date(2024, 2, 4)`` como ``2024-03-04 03:00:00``
UTC, no como la medianoche que escribe amauta. Toda lectura y escritura de amauta busca por
día: actualiza esa fila (y conserva su hora) en lugar de crear una segunda, aplica la regla de
la observación y los reportes cuentan uno. Dos registros del mismo día (uno de cada
herramienta) se informan en ``db verificar`` y se unifican con ``asistencia unificar``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from fabrica import GRUPO, LUCAS, LUNES, MATEO, VALENTINA, escribir_csv

F = LUNES.isoformat()
TRES = datetime(LUNES.year, LUNES.month, LUNES.day, 3, 0)  # lo que escribe la aplicación web
MEDIANOCHE = datetime(LUNES.year, LUNES.month, LUNES.day)


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


def como_la_web(bd, email: str, estado: str, fecha: datetime = TRES, obs: str | None = None,
                actualizado: datetime | None = None) -> str:
    """Un registro como lo escribe Prisma desde la aplicación web; devuelve su id."""
    from sqlalchemy import insert, select

    from amauta_cli.ids import cuid
    from amauta_cli.models import Asistencia, Grupo, Usuario

    nuevo = cuid()
    with bd.engine().begin() as c:
        gid = c.execute(select(Grupo.id).where(Grupo.nombre == GRUPO)).scalar_one()
        uid = c.execute(select(Usuario.id).where(Usuario.email == email)).scalar_one()
        momento = actualizado or datetime(2024, 3, 4, 15, 0)
        c.execute(
            insert(Asistencia).values(
                id=nuevo, grupoId=gid, estudianteId=uid, fecha=fecha, estado=estado,
                observaciones=obs, createdAt=momento, updatedAt=momento,
            )
        )
    return nuevo


def filas_de(bd, email: str) -> list[tuple]:
    """(id, estado, observaciones, fecha 'AAAA-MM-DD HH:MM:SS') de cada registro de ``email``."""
    return [
        (i, str(e), o, str(f)[:19])
        for i, e, o, f in bd.filas(
            'SELECT a.id, a.estado, a.observaciones, a.fecha FROM "Asistencia" a '
            'JOIN "Usuario" u ON u.id = a."estudianteId" WHERE u.email = :e ORDER BY a.fecha',
            e=email,
        )
    ]


def registrar(cli, *args):
    return cli("asistencia", "registrar", "--grupo", GRUPO, "--fecha", F, *args)


# --- Un registro de las 03:00 --------------------------------------------------------------------
def test_registrar_actualiza_la_fila_de_la_aplicacion_web_y_el_reporte_cuenta_una(bd, cli):
    id_web = como_la_web(bd, LUCAS, "PRESENTE")

    r = registrar(cli, "--todos", "PRESENTE")
    assert r.codigo == 0, r.texto
    assert "3 creados, 0 actualizados, 1 sin cambios" in r.stderr
    assert filas_de(bd, LUCAS) == [(id_web, "PRESENTE", None, "2024-03-04 03:00:00")]

    # Cambiar el estado sin observación: la regla de la plataforma vale también para esta fila.
    antes = bd.instantanea()
    r = registrar(cli, "--ausente", LUCAS)
    assert r.codigo == 1, r.texto
    assert "ya figura PRESENTE el 04/03/2024" in r.stderr and "observación" in r.stderr
    assert bd.instantanea() == antes

    r = registrar(cli, "--ausente", f"{LUCAS}=se retiró enfermo")
    assert r.codigo == 0, r.texto
    assert "0 creados, 1 actualizado," in r.stderr
    # La misma fila, a la misma hora; updatedAt lo pone amauta.
    assert filas_de(bd, LUCAS) == [(id_web, "AUSENTE", "se retiró enfermo", "2024-03-04 03:00:00")]
    assert str(bd.valor('SELECT "updatedAt" FROM "Asistencia" WHERE id = :i', i=id_web))[:10] != "2024-03-04"

    r = cli("asistencia", "reporte", "--grupo", GRUPO, "--mes", "2024-03", "--formato", "json")
    assert r.codigo == 0, r.texto
    lucas = next(f for f in json.loads(r.stdout)["estudiantes"] if f["email"] == LUCAS)
    assert (lucas["registrados"], lucas["ausentes"]) == (1, 1)

    r = cli("asistencia", "ver", "--grupo", GRUPO, "--fecha", F, "--formato", "json")
    estados = {f["email"]: f["estado"] for f in json.loads(r.stdout)}
    assert estados[LUCAS] == "AUSENTE"
    assert "más de un registro" not in r.stderr


def test_pendientes_y_ver_cuentan_el_registro_de_las_03(bd, cli):
    como_la_web(bd, LUCAS, "TARDANZA")
    r = cli("asistencia", "pendientes", "--fecha", F, "--formato", "json")
    # El registro de las 03:00 cuenta para ese día: al grupo le faltan los demás, no Lucas.
    (g,) = [g for g in json.loads(r.stdout) if g["grupo"] == GRUPO]
    assert g["sin_estado"] == g["estudiantes"] - 1
    r = cli("asistencia", "ver", "--grupo", GRUPO, "--fecha", F, "--formato", "json")
    assert {f["email"]: f["estado"] for f in json.loads(r.stdout)}[LUCAS] == "TARDANZA"


@pytest.mark.rapida
def test_importar_actualiza_la_fila_de_la_aplicacion_web(bd, cli, tmp_path):
    id_web = como_la_web(bd, LUCAS, "PRESENTE")
    sin_obs = escribir_csv(
        tmp_path / "a.csv", f"grupo,email,fecha,estado\n{GRUPO},{LUCAS},{F},AUSENTE\n{GRUPO},{MATEO},{F},P\n"
    )
    antes = bd.instantanea()
    r = cli("asistencia", "importar", sin_obs)
    assert r.codigo == 1, r.texto
    assert "línea 2" in r.stderr and "ya figura PRESENTE el 04/03/2024" in r.stderr
    assert bd.instantanea() == antes

    con_obs = escribir_csv(
        tmp_path / "b.csv",
        f"grupo,email,fecha,estado,observaciones\n{GRUPO},{LUCAS},{F},AUSENTE,se retiró\n{GRUPO},{MATEO},{F},P,\n",
    )
    r = cli("asistencia", "importar", con_obs)
    assert r.codigo == 0, r.texto
    assert filas_de(bd, LUCAS) == [(id_web, "AUSENTE", "se retiró", "2024-03-04 03:00:00")]
    assert filas_de(bd, MATEO)[0][3] == "2024-03-04 00:00:00"
    # Repetir el archivo no cambia nada.
    antes = bd.instantanea()
    r = cli("asistencia", "importar", con_obs)
    assert r.codigo == 0 and bd.instantanea() == antes


def test_un_registro_de_otro_dia_no_se_toca(bd, cli):
    # 2024-03-04 23:30 UTC es el día 4 (UTC), aunque en Argentina ya sea... el mismo día 4.
    # 2024-03-05 01:00 UTC es el día 5: no se mezcla con el 4.
    tarde = como_la_web(bd, LUCAS, "PRESENTE", fecha=MEDIANOCHE + timedelta(hours=23, minutes=30))
    siguiente = como_la_web(bd, VALENTINA, "PRESENTE", fecha=MEDIANOCHE + timedelta(days=1, hours=1))
    r = registrar(cli, "--todos", "PRESENTE")
    assert r.codigo == 0, r.texto
    assert "1 sin cambios" in r.stderr
    assert [f[0] for f in filas_de(bd, LUCAS)] == [tarde]
    assert sorted(f[3] for f in filas_de(bd, VALENTINA)) == ["2024-03-04 00:00:00", "2024-03-05 01:00:00"]
    assert siguiente in [f[0] for f in filas_de(bd, VALENTINA)]


# --- Dos registros el mismo día --------------------------------------------------------------------
def test_dos_registros_del_mismo_dia_se_informan_y_se_unifican(bd, cli, tmp_path):
    viejo = como_la_web(bd, LUCAS, "AUSENTE", fecha=MEDIANOCHE, actualizado=datetime(2024, 3, 4, 12))
    nuevo = como_la_web(bd, LUCAS, "PRESENTE", obs="llegó", actualizado=datetime(2024, 3, 4, 18))
    otro = como_la_web(bd, MATEO, "PRESENTE")

    r = cli("db", "verificar")
    assert r.codigo == 1, r.texto
    assert f"asistencia repetida: {LUCAS} tiene 2 registros el 04/03/2024 en '{GRUPO}'" in r.stderr
    assert "amauta asistencia unificar" in r.stderr

    antes = bd.instantanea()
    r = registrar(cli, "--todos", "PRESENTE")
    assert r.codigo == 1, r.texto
    assert "más de un registro" in r.stderr and "asistencia unificar" in r.stderr
    assert "Fernández, Lucas" in r.stderr and "AUSENTE (00:00 UTC)" in r.stderr
    assert bd.instantanea() == antes

    archivo = escribir_csv(tmp_path / "a.csv", f"grupo,email,fecha,estado\n{GRUPO},{LUCAS},{F},P\n")
    r = cli("asistencia", "importar", archivo)
    assert r.codigo == 1, r.texto
    assert f"línea 2: {LUCAS} ya tiene 2 registros el 04/03/2024" in r.stderr
    assert bd.instantanea() == antes

    # ver muestra uno (el más reciente) y avisa.
    r = cli("asistencia", "ver", "--grupo", GRUPO, "--fecha", F, "--formato", "json")
    filas = [f for f in json.loads(r.stdout) if f["email"] == LUCAS]
    assert [f["estado"] for f in filas] == ["PRESENTE"]
    assert "más de un registro" in r.stderr

    # La vista previa no borra nada; sin confirmar, tampoco.
    r = cli("asistencia", "unificar", "--simular", "--formato", "json")
    assert r.codigo == 0, r.texto
    previa = json.loads(r.stdout)
    assert {(f["id"], f["accion"]) for f in previa} == {(viejo, "se borra"), (nuevo, "se conserva")}
    assert bd.instantanea() == antes
    r = cli("asistencia", "unificar", input="n\n")
    assert r.codigo == 1 and bd.instantanea() == antes

    r = cli("asistencia", "unificar", "--grupo", GRUPO, "--si")
    assert r.codigo == 0, r.texto
    assert "1 registro borrado" in r.stderr
    assert filas_de(bd, LUCAS) == [(nuevo, "PRESENTE", "llegó", "2024-03-04 03:00:00")]
    assert [f[0] for f in filas_de(bd, MATEO)] == [otro]
    assert cli("db", "verificar").codigo == 0
    r = cli("asistencia", "unificar")
    assert r.codigo == 0 and "No hay estudiantes con más de un registro" in r.stderr


def test_unificar_con_filtros_solo_toca_lo_pedido(bd, cli):
    como_la_web(bd, LUCAS, "AUSENTE", fecha=MEDIANOCHE, actualizado=datetime(2024, 3, 4, 12))
    como_la_web(bd, LUCAS, "PRESENTE")
    otro_dia = MEDIANOCHE + timedelta(days=1)
    como_la_web(bd, LUCAS, "AUSENTE", fecha=otro_dia)
    como_la_web(bd, LUCAS, "PRESENTE", fecha=otro_dia + timedelta(hours=3))
    r = cli("asistencia", "unificar", "--desde", F, "--hasta", F, "--si")
    assert r.codigo == 0, r.texto
    assert len(filas_de(bd, LUCAS)) == 3
    r = cli("db", "verificar")
    assert r.codigo == 1 and "el 05/03/2024" in r.stderr and "el 04/03/2024" not in r.stderr


def test_unificar_nombres_desconocidos_no_tocan_nada(bd, cli):
    como_la_web(bd, LUCAS, "AUSENTE", fecha=MEDIANOCHE)
    como_la_web(bd, LUCAS, "PRESENTE")
    antes = bd.instantanea()
    r = cli("asistencia", "unificar", "--grupo", "No Existe", "--si")
    assert r.codigo == 1 and "No Existe" in r.stderr and "Traceback" not in r.texto
    r = cli("asistencia", "unificar", "--desde", "32/13/2024", "--si")
    assert r.codigo != 0 and "Traceback" not in r.texto
    assert bd.instantanea() == antes


# --- El seed también busca por día --------------------------------------------------------------------
def test_seed_actualiza_la_fila_que_la_web_movio_a_las_03(bd_seed):
    from conftest import invocar

    bd_seed.ejecutar(
        "UPDATE \"Asistencia\" SET fecha = fecha + INTERVAL '3 hours'"
        if bd_seed.motor == "postgresql"
        else "UPDATE \"Asistencia\" SET fecha = datetime(fecha, '+3 hours')"
    )
    antes = bd_seed.contar("Asistencia")
    r = invocar(bd_seed.url, "seed")
    assert r.codigo == 0, r.texto
    assert bd_seed.contar("Asistencia") == antes
    horas = {str(f)[11:16] for (f,) in bd_seed.filas('SELECT fecha FROM "Asistencia"')}
    assert horas == {"03:00"}
