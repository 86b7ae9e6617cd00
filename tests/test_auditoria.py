"""Auditoría de asistencia y calificaciones: la escriben disparadores de la base para cualquier
cliente (amauta, SQL a secas), en ambos motores; ``amauta auditoria`` la lista con filtros."""

from __future__ import annotations

import getpass
from datetime import date, timedelta

import pytest
from conftest import BaseDePrueba
from fabrica import ANA_PEREZ, BETO, CIRO, GRUPO_1A, INST_A, INST_B


def _auditoria(bd: BaseDePrueba, desde_id: int = 0) -> list[tuple]:
    return bd.filas(
        'SELECT operacion, tabla, rol, "usuarioSo", cliente, antes, despues, "grupoId", "estudianteId" '
        'FROM "_amauta_auditoria" WHERE id > :d ORDER BY id',
        d=desde_id,
    )


def _ultimo(bd: BaseDePrueba) -> int:
    return int(bd.valor('SELECT coalesce(max(id), 0) FROM "_amauta_auditoria"'))


def _json(v):
    import json

    return json.loads(v) if isinstance(v, str) else v


def test_los_datos_iniciales_quedaron_auditados(escuelas):
    # El preparado de los datos (ORM de amauta) insertó 10 asistencias y 6 notas.
    filas = _auditoria(escuelas)
    altas = [f for f in filas if f[0] == "INSERT"]
    assert sorted({f[1] for f in altas}) == ["Asistencia", "Calificacion"]
    assert sum(f[1] == "Asistencia" for f in altas) == 10
    assert sum(f[1] == "Calificacion" for f in altas) == 6
    assert all(f[5] is None and _json(f[6])["id"] for f in altas)


@pytest.mark.rapida
def test_amauta_registra_su_usuario_del_sistema_y_los_valores(escuelas):
    from amauta_cli.db import transaccion
    from amauta_cli.services import calificaciones

    desde = _ultimo(escuelas)
    with transaccion(escuelas.url) as s:
        calificaciones.registrar(s, GRUPO_1A, ANA_PEREZ, "Matemática", "1er Trimestre", "9,5", institucion=INST_A)
    filas = _auditoria(escuelas, desde)
    assert len(filas) == 1
    op, tabla, rol, usuario_so, cliente, antes, despues, *_ = filas[0]
    assert (op, tabla) == ("UPDATE", "Calificacion")
    assert usuario_so == getpass.getuser() and cliente == "amauta"
    assert _json(antes)["nota"] == 7 and _json(despues)["nota"] == 9.5
    if escuelas.motor == "postgresql":
        assert rol == "postgres"
    else:
        assert rol is None  # SQLite no tiene roles


def test_sql_a_secas_tambien_queda_auditado(escuelas):
    desde = _ultimo(escuelas)
    ana = escuelas.valor('SELECT id FROM "Usuario" WHERE email = :e', e=ANA_PEREZ)
    if escuelas.motor == "sqlite":
        import sqlite3

        ruta = escuelas.url.split("///", 1)[1]
        with sqlite3.connect(ruta) as c:  # otro cliente, sin amauta
            c.execute("UPDATE \"Asistencia\" SET estado = 'AUSENTE' WHERE \"estudianteId\" = ?", (ana,))
            c.execute('DELETE FROM "Calificacion" WHERE "estudianteId" = ?', (ana,))
    else:
        import psycopg

        with psycopg.connect(escuelas.url.replace("+psycopg", ""), application_name="psql") as c:
            c.execute("UPDATE \"Asistencia\" SET estado = 'AUSENTE' WHERE \"estudianteId\" = %s", (ana,))
            c.execute('DELETE FROM "Calificacion" WHERE "estudianteId" = %s', (ana,))
    filas = _auditoria(escuelas, desde)
    assert [(f[0], f[1]) for f in filas] == [("UPDATE", "Asistencia")] * 2 + [("DELETE", "Calificacion")]
    for f in filas:
        assert f[3] is None, "otro cliente: amauta no sabe el usuario del sistema"
        assert f[8] == ana
    assert {_json(f[5])["estado"] for f in filas[:2]} == {"PRESENTE"}
    assert {_json(f[6])["estado"] for f in filas[:2]} == {"AUSENTE"}
    assert _json(filas[2][5])["nota"] == 7 and filas[2][6] is None
    if escuelas.motor == "postgresql":
        assert {f[4] for f in filas} == {"psql"}


@pytest.mark.rapida
def test_una_escritura_rechazada_no_deja_auditoria(escuelas):
    from amauta_cli.db import transaccion
    from amauta_cli.errores import AmautaError
    from amauta_cli.services import calificaciones

    antes = escuelas.instantanea()
    with pytest.raises(AmautaError):
        with transaccion(escuelas.url) as s:
            calificaciones.registrar(s, GRUPO_1A, ANA_PEREZ, "Matemática", "1er Trimestre", "9", institucion=INST_A)
            calificaciones.registrar(s, GRUPO_1A, CIRO, "Matemática", "1er Trimestre", "9", institucion=INST_A)
    assert escuelas.instantanea() == antes


def test_listar_con_filtros(escuelas):
    from amauta_cli.db import transaccion
    from amauta_cli.services import auditoria, calificaciones

    with transaccion(escuelas.url) as s:
        calificaciones.registrar(s, GRUPO_1A, ANA_PEREZ, "Matemática", "1er Trimestre", "8", institucion=INST_A)
        calificaciones.registrar(s, GRUPO_1A, CIRO, "Matemática", "1er Trimestre", "4", institucion=INST_B)
    with transaccion(escuelas.url, solo_lectura=True) as s:
        todo = auditoria.listar(s)
        assert todo.total == 18 and len(todo.registros) == 18
        assert todo.registros[0].operacion == "UPDATE"  # lo más reciente primero
        r = auditoria.listar(s, grupo=GRUPO_1A, institucion=INST_A, tabla="calificaciones")
        assert r.total == 4  # 3 altas + 1 cambio (Ana, Beto, Eli; Carla es de 2do A)
        cambio = [x for x in r.registros if x.operacion == "UPDATE"]
        assert len(cambio) == 1 and cambio[0].estudiante == ANA_PEREZ and cambio[0].campos_cambiados == ["nota"]
        assert cambio[0].grupo == GRUPO_1A and cambio[0].institucion == INST_A
        assert auditoria.listar(s, estudiante=BETO).total == 3  # 2 asistencias y 1 nota
        assert auditoria.listar(s, tabla="Asistencia").total == 10
        hoy = date.today()
        assert auditoria.listar(s, desde=hoy, hasta=hoy).total == 18
        assert auditoria.listar(s, hasta=hoy - timedelta(days=1)).total == 0
        assert auditoria.listar(s, desde=hoy + timedelta(days=1)).total == 0
        assert auditoria.listar(s, limite=2).registros.__len__() == 2
        rol = "postgres" if escuelas.motor == "postgresql" else "nadie"
        assert auditoria.listar(s, rol=rol).total == (18 if escuelas.motor == "postgresql" else 0)
        from amauta_cli.errores import DatosInvalidos, NoEncontrado

        with pytest.raises(DatosInvalidos, match="asistencia o calificaciones"):
            auditoria.listar(s, tabla="Usuario")
        with pytest.raises(DatosInvalidos, match="anterior"):
            auditoria.listar(s, desde=hoy, hasta=hoy - timedelta(days=3))
        with pytest.raises(NoEncontrado):
            auditoria.listar(s, grupo="No existe")


def test_la_auditoria_se_revierte_y_se_vuelve_a_aplicar(escuelas):
    from conftest import invocar

    r = invocar(escuelas.url, "db", "rollback", "--revision", "0004", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    escuelas.ejecutar('UPDATE "Calificacion" SET nota = 5')  # sin la tabla, sin disparadores que fallen
    assert "_amauta_auditoria" not in escuelas.conteos()
    assert invocar(escuelas.url, "db", "migrate").codigo == 0
    assert escuelas.contar("_amauta_auditoria") == 0
    escuelas.ejecutar('UPDATE "Calificacion" SET nota = 6')
    assert escuelas.contar("_amauta_auditoria") == escuelas.contar("Calificacion")
    assert invocar(escuelas.url, "db", "verificar").codigo == 0


def test_el_comando_amauta_anota_su_usuario_del_sistema(escuelas):
    """Por la CLI (que escribe con el driver a secas), en ambos motores."""
    from conftest import invocar

    desde = _ultimo(escuelas)
    r = invocar(escuelas.url, "calificaciones", "registrar", "--grupo", GRUPO_1A, "--institucion", INST_A,
                "--estudiante", ANA_PEREZ, "--materia", "Matemática", "--periodo", "1er Trimestre", "--nota", "4")
    assert r.codigo == 0, r.texto
    r = invocar(escuelas.url, "asistencia", "registrar", "--grupo", GRUPO_1A, "--institucion", INST_A,
                "--fecha", "2024-03-04", "--ausente", f"{ANA_PEREZ}=fiebre")
    assert r.codigo == 0, r.texto
    filas = _auditoria(escuelas, desde)
    assert [(f[0], f[1]) for f in filas] == [("UPDATE", "Calificacion"), ("UPDATE", "Asistencia")]
    assert {(f[3], f[4]) for f in filas} == {(getpass.getuser(), "amauta")}
    r = invocar(escuelas.url, "auditoria", "--estudiante", ANA_PEREZ, "--limite", "2", "--formato", "csv")
    assert r.codigo == 0, r.texto
    lineas = r.stdout.strip().splitlines()
    assert len(lineas) == 3 and "estado: PRESENTE → AUSENTE" in lineas[1] and "fiebre" in lineas[1] and "nota: 7 → 4" in lineas[2]


def test_la_tabla_dice_que_cambio_sin_repetir_los_valores_y_las_altas_separan_con_punto_y_coma(escuelas):
    """En la tabla, "Qué" resume (los valores completos van en json/csv/excel); un alta o una
    baja separa sus campos con "; ", así la coma decimal de una nota no se confunde."""
    from conftest import invocar

    escuelas.ejecutar('DELETE FROM "Calificacion" WHERE "estudianteId" = (SELECT id FROM "Usuario" WHERE email = :e)', e=BETO)
    r = invocar(escuelas.url, "calificaciones", "registrar", "--grupo", GRUPO_1A, "--institucion", INST_A,
                "--estudiante", BETO, "--materia", "Lengua", "--periodo", "1er Trimestre", "--nota", "7,5")
    assert r.codigo == 0, r.texto
    r = invocar(escuelas.url, "auditoria", "--estudiante", BETO, "--tabla", "calificaciones", "-n", "2",
                env={"COLUMNS": "200"})
    assert r.codigo == 0, r.texto
    assert "materia: Lengua; periodo: 1er Trimestre; nota: 7,5; notaMaxima: 10" in r.stdout, r.stdout
    assert "Antes" not in r.stdout and "Después" not in r.stdout
    assert "baja" in r.stdout and "alta" in r.stdout
    filas = _json(invocar(escuelas.url, "auditoria", "--estudiante", BETO, "-n", "1", "--formato", "json").stdout)
    assert filas[0]["accion"] == "alta" and filas[0]["antes"] is None
    assert filas[0]["despues"]["nota"] == 7.5 and filas[0]["despues"]["materia"] == "Lengua"
    csv = invocar(escuelas.url, "auditoria", "--estudiante", BETO, "-n", "1", "--formato", "csv").stdout
    assert csv.splitlines()[0].endswith("antes,despues,registro")
